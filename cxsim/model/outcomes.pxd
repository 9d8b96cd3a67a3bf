# The Recorder is built on the case flow's `Tally` (`cxsim.mechanisms.cases`), whose counts and
# methods are C when the model is compiled; everything the Recorder adds stays in its instance dictionary.
from cxsim.mechanisms.cases cimport Tally

cdef class Recorder(Tally):
    cdef dict __dict__
