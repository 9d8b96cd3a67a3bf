# C types for finance's books (`budget.py`), used when the model is compiled: the failures it hears
# are charged in a C method (a few thousand a run); the budget round stays Python-level.
cimport cython
from cxsim.mechanisms.contract cimport Mechanism

@cython.final  # no subclass overrides its methods: a call from C goes straight to them
cdef class Budget(Mechanism):
    cdef public list caused

    cpdef heard_failure(self, long journey, long phase, long a, long b)
