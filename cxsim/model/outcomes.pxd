# C layout of the counters the case flow moves at every event (`outcomes.py`), used when the model is
# compiled; everything else the Recorder keeps stays in its instance dictionary.
cimport cython
from cxsim.mechanisms.cases cimport Case, JourneyFields, StageFields

cdef class Recorder:
    cdef dict __dict__
    cdef public long prospects, active, churned, lost, promoters, dissatisfied, events, left_waiting_count
    cdef public double sat_sum, active_value, active_cost, d_units, d_rework, promoter_above, dissatisfied_below
    cdef public long d_attempts, d_failures, d_done, d_done_days, d_acquired, d_churned, d_lost, d_arrived
    cdef public list _pair_attempts, _pair_failures, _journey_attempts, _journey_failures, _journey_done_count
    cdef public list _journey_days, _journey_abandoned, _journey_abandoned_days, _phase_attempts, _phase_failures
    cdef public list _dept_contacts, _dept_repeats, _dept_failure, _dept_units, _dept_rework, _dept_unresolved
    cdef public list _fcr, _journey_verdicts, _journey_promoters, _journey_detractors, _journey_bad
    cdef public list _verdict_by_repeats
    cdef public dict _endings, d_pairs

    @cython.locals(journey=JourneyFields, stage=StageFields)
    cpdef handoff(self, Case customer, long a, long b)
    @cython.locals(journey=JourneyFields, stage=StageFields)
    cpdef failure(self, Case customer, long a, long b)
    cpdef worked(self, long dept, long contacts, long repeats, double failure, double units, double rework)
    cpdef abandoned(self, Case customer, long days)
    cpdef unresolved(self, long dept)
    cpdef ending(self, Case customer, bint churned)
    cpdef journey_done(self, Case customer, long days, double verdict, double satisfaction)
    cpdef joined(self, Case customer, double satisfaction)
    cpdef left(self, Case customer)
    cpdef satisfaction_changed(self, old, new)
