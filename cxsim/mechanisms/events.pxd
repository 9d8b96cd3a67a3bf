# C layout of the customer calendar (`events.py`), used when the model is compiled.
cdef class Calendar:
    cdef public dict days

    cpdef add(self, long day, long kind, customer, arg=*)

    cpdef list pop(self, long day)
