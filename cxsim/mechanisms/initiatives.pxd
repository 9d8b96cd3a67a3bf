# C types for the initiative portfolio (`initiatives.py`), used when the model is compiled: the failures
# it hears are counted in a C method (a few thousand a run); the quarter stays Python-level.
cimport cython
from cxsim.mechanisms.contract cimport Mechanism

@cython.final  # no subclass overrides its methods: a call from C goes straight to them
cdef class Portfolio(Mechanism):
    cdef public dict seen, factor

    cpdef heard_failure(self, long journey, long phase, long a, long b)
