# C types for the handoff's per-case functions (`handoff.py`), used when the model is compiled.
cimport cython
from cxsim.mechanisms.cases cimport Case, Desk, Flow, StageFields, initiatives_factor
from cxsim.mechanisms cimport failure_demand
from cxsim.mechanisms.customer_response cimport CustomerResponse

# the event kind it schedules: a C constant, not a module lookup at each use
cdef long ARRIVE

cpdef double overload_factor(Flow model, Desk dept)

@cython.locals(sender=Desk, receiver=Desk, p=double)
cpdef double failure_probability(Flow model, long a, long b)

@cython.locals(p=double)
cpdef attempt(Flow model, Case customer, long a, long b)

@cython.locals(p=double)
cpdef cross(Flow model, Case customer, long a, long b, bint decided_right=*)

cpdef pass_on(Flow model, Case customer, long b, long after=*)

@cython.locals(weight=double, r=double, stage=StageFields, response=CustomerResponse)
cpdef fail(Flow model, Case customer, long a, long b)
