# C types for failure demand's per-case functions (`failure_demand.py`), used when the model is compiled.
cimport cython
from cxsim.mechanisms.cases cimport Case, Desk, Flow, StageFields, initiatives_factor
from cxsim.mechanisms.customer_response cimport CustomerResponse

# the event kinds it schedules: C constants, not a module lookup at each use
cdef long ARRIVE, CHASE

cpdef double unresolved_probability(Flow model, Desk dept)

@cython.locals(journey=long, d=long, stage=StageFields, response=CustomerResponse)
cpdef bint unresolved(Flow model, Case customer, Desk dept) except -1

cpdef burden(Flow model, Case customer, double weight)

cpdef consequence(Flow model, Case customer)

cpdef watch(Flow model, Case customer, long dept_index)

cpdef unwatch(Flow model, Case customer)

@cython.locals(contact=Desk, response=CustomerResponse)
cpdef check(Flow model, Case customer, long visit)

cpdef follow_up(Flow model, Case customer)
