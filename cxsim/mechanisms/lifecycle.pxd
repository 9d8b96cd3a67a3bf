# C types for the customer lifecycle (`lifecycle.py`), used when the model is compiled.
cimport cython
from libc cimport math  # the .py's `math.log`, `math.ceil`: C's (what Python's calls); C's ceil is a double, hence int()
from cxsim.mechanisms.cases cimport Case, Flow

# the event kinds it schedules: C constants, not a module lookup at every event; and bisect's function
cdef long FOLLOW_UP, LEAVE, NEED
cdef object bisect

@cython.locals(leave=long)
cpdef activate(Flow model, Case customer, double satisfaction)

@cython.locals(day=long)
cpdef end_journey(Flow model, Case customer)

@cython.locals(day=long)
cpdef schedule_need(Flow model, Case customer)

cpdef pick(Flow model, list items, list cum_weights)

@cython.locals(draw=double)
cpdef long wait(Flow model, double rate_per_day) except? -1

cpdef set_satisfaction(Flow model, Case customer, double value)

cpdef journey_over(Flow model, Case customer)

cpdef churn(Flow model, Case customer)

cpdef lose_prospect(Flow model, Case customer)

cpdef gone(Flow model, Case customer)
