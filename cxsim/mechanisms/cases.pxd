# The C layout of the state the case flow touches for every case (`cases.py`), used when the model
# is compiled (Cython's augmenting .pxd: cases.py stays plain Python, the reference).
cimport cython
from cxsim.mechanisms.events cimport Calendar

# how a problem ended: the index of its counts in the Tally (C constants)
cdef long NO_PROBLEM, FIXED_AT_ONCE, REPEAT_CONTACT, NEVER

cdef class StageFields:
    cdef public long dept, phase, service_days
    cdef public bint moment_of_truth


cdef class JourneyFields:
    cdef public long index, contact, service_days
    cdef public tuple stages


cdef class SegmentFields:
    cdef public double share, annual_value, expectation, effort_tolerance, annual_cost


cdef class Desk:
    cdef public long index
    cdef public double case_work
    cdef public bint front_line
    cdef public object queue
    cdef public long chases
    cdef public double credit, load, overload_factor, culture_factor, info_factor, fit_factor
    cdef public double unresolved_p, worked, noise, project, overtime
    cdef public double base_capacity, funded  # capacity configured, and the share of it paid for
    cdef public object quarter


cdef class Case:
    cdef public JourneyFields journey
    cdef public SegmentFields segment
    cdef public object status
    cdef public double satisfaction, effort, promised
    cdef public long since, stage, started, rework, redo, repeats, owed, visit
    cdef public long chase_ticket, next_ticket, leave_ticket
    cdef public bint resumed, first_time, troubled, induced, leaving



cdef class Flow


cdef class Tally:  # its methods are C functions, for the case flow alone (no Python caller when compiled)
    cdef public Flow model
    cdef public long prospects, active, churned, lost, promoters, dissatisfied, events, withdrawn, left_waiting_count
    cdef public double sat_sum, active_value, active_cost, d_units, d_rework, promoter_above, dissatisfied_below
    cdef public long d_attempts, d_failures, d_done, d_done_days, d_acquired, d_churned, d_lost, d_arrived
    # the counts: C arrays (each an `array.array` in the .py, viewed as a typed memoryview)
    cdef public long long[::1] _pair_attempts, _pair_failures, _journey_attempts, _journey_failures
    cdef public long long[::1] _journey_done_count, _journey_days, _journey_abandoned, _journey_abandoned_days
    cdef public long long[::1] _phase_attempts, _phase_failures, _dept_contacts, _dept_repeats, _dept_unresolved
    cdef public long long[::1] _fcr, _journey_promoters, _journey_detractors, _journey_bad, _journeys_by_repeats
    cdef public long long[::1] _ending_count, _ending_churned
    cdef public double[::1] _dept_failure, _dept_units, _dept_rework, _journey_verdicts, _verdicts_by_repeats
    cdef public dict d_pairs

    @cython.locals(journey=JourneyFields, stage=StageFields)
    cdef handoff(self, Case customer, long a, long b)
    @cython.locals(journey=JourneyFields, stage=StageFields)
    cdef failure(self, Case customer, long a, long b)
    cdef worked(self, long dept, long contacts, long repeats, double failure, double units, double rework)
    cdef abandoned(self, Case customer, long days)
    cdef unresolved(self, long dept)
    cdef left_waiting(self)
    cdef ending(self, Case customer, bint churned)
    @cython.locals(j=long, first=Desk)
    cdef journey_done(self, Case customer, long days, double verdict, double satisfaction)
    cpdef new_prospect(self)
    cdef joined(self, Case customer, double satisfaction)
    cdef left(self, Case customer)
    cdef prospect_lost(self)
    cdef satisfaction_changed(self, double old, double new)
    cdef satisfaction_out(self, double value)
    cdef satisfaction_in(self, double value)


cdef class Flow:
    cdef public long day, days
    cdef public double efficiency_factor, attrition, need_rate, exception_rate
    # the mechanisms' parameters the case flow reads at every failure, check or journey's end
    # (copied from the config at set-up: `CXModel.__init__`)
    cdef public double drop_share, info_loss_share, moment_of_truth_weight, chase_prob, consequence_prob
    cdef public long recontact_days, delay_days, chase_every_days
    cdef public list need_journeys, need_weights  # the needs a customer may have (`lifecycle.pick`)
    cdef public list departments, friction, chase_after
    cdef public Calendar calendar
    cdef public Tally recorder
    cdef public object mech, failure_journey, random, draw
    cdef public object portfolio, customer_response, governance  # the mechanisms the case flow asks
    cdef public double[::1] initiative_factor  # the portfolio's factors (`factor_index`), read at every handoff
    cdef public list failure_listeners  # the mechanisms' `heard_failure`, in the model's order

    cpdef failed(self, long journey, long phase, long a, long b)


cpdef double initiatives_factor(Flow model, long journey, long a, long b) except? -1

@cython.locals(n=long)
cpdef long factor_index(Flow model, long journey, long a, long b) except? -1
