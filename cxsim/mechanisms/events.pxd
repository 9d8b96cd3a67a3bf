# C layout of the customer calendar (`events.py`), used when the model is compiled.
cimport cython

@cython.final  # its methods are called as C functions, never overridden
cdef class Calendar:
    cdef public list days
    cdef public long today

    @cython.locals(days=list, bucket=list, at=long)
    cpdef long add(self, long day, long kind, customer, arg=*)

    @cython.locals(day=long, bucket=list)
    cpdef cancel(self, long ticket)

    @cython.locals(days=list)
    cpdef list pop(self, long day)
