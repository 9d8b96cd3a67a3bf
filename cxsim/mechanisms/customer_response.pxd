# C types for the customers' choices (`customer_response.py`), used when the model is compiled.
cimport cython
from libc cimport math  # the .py's `math.exp`: C's (what Python's calls)
from cxsim.mechanisms cimport lifecycle
from cxsim.mechanisms.cases cimport Case, Flow
from cxsim.mechanisms.contract cimport Mechanism

# the statuses it compares with: held by the module, not looked up at every journey's end
cdef str ACTIVE, CHURNED, LOST, PROSPECT

# final: no subclass overrides its methods, so a call from C goes straight to them (a mechanism has an
# attribute dictionary, and Cython on Python 3.12 would otherwise look each method up in it first)
@cython.final
cdef class CustomerResponse(Mechanism):
    cdef public object c
    cdef public double expected_wait_days, base_quality, effort_sensitivity, wait_sensitivity, learning_rate
    cdef public double dissatisfied_below, churn_base, churn_per_effort, churn_dissatisfaction

    @cython.locals(expected=double, late=double, q=double, expectation=double, v=double)
    cpdef double verdict(self, Case customer, long days) except? -1

    @cython.locals(model=Flow, days=long, v=double, after=double, leaves=bint)
    cpdef finish(self, Case customer)

    @cython.locals(excess=double, shortfall=double, p=double)
    cpdef double p_churn(self, Case customer, satisfaction=*, bint base=*) except? -1

    @cython.locals(model=Flow, so_far=double, judged=double)
    cpdef bint chased(self, Case customer) except -1

    @cython.locals(model=Flow)
    cpdef bint gives_up(self, Case customer) except -1
