# The Recorder is built on the case flow's `Tally` (`cxsim.mechanisms.cases`), whose counts and
# methods are C when the model is compiled; everything the Recorder adds stays in its instance dictionary.
cimport cython
from cxsim.mechanisms.cases cimport Tally

cdef class Recorder(Tally):
    cdef dict __dict__


@cython.locals(friction=list, values=list)
cpdef double mean_friction(model) except? -1

@cython.locals(total=double, r0=double, r1=double, r2=double, r3=double, r4=double, r5=double, r6=double,
               r7=double, i=Py_ssize_t, blocks=Py_ssize_t, half=Py_ssize_t)
cpdef double pairwise_sum(list values, Py_ssize_t first, Py_ssize_t n) except? -1
