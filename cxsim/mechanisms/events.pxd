# C layout of the customer calendar (`events.py`), used when the model is compiled.
cimport cython

cdef class Calendar:
    cdef public list days

    @cython.locals(days=list, bucket=object)
    cpdef add(self, long day, long kind, customer, arg=*)

    @cython.locals(days=list, bucket=list)
    cpdef list pop(self, long day)
