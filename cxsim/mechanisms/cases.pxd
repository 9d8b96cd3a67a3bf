# The C layout of the state the case flow touches for every case (`cases.py`), used when the model
# is compiled (Cython's augmenting .pxd: cases.py stays plain Python, the reference).
from cxsim.mechanisms.events cimport Calendar

cdef class StageFields:
    cdef public long dept, phase, service_days
    cdef public bint moment_of_truth


cdef class JourneyFields:
    cdef public long index, contact, service_days
    cdef public tuple stages


cdef class Desk:
    cdef public long index
    cdef public double case_work
    cdef public bint front_line
    cdef public object queue
    cdef public long chases
    cdef public double credit, load, overload_factor, culture_factor, info_factor, fit_factor
    cdef public double unresolved_p, worked, noise, project, overtime
    cdef public object quarter


cdef class Case:
    cdef public JourneyFields journey
    cdef public object segment, status
    cdef public double satisfaction, effort, promised
    cdef public long since, stage, started, rework, redo, repeats, owed, visit
    cdef public bint resumed, first_time, troubled, induced, leaving



cdef class Flow:
    cdef public long day, days
    cdef public double efficiency_factor, attrition, need_rate
    cdef public list departments, friction, chase_after
    cdef public Calendar calendar
    cdef public object recorder, mech, failure_journey, random, draw
    cdef public object portfolio, customer_response, governance  # the mechanisms the case flow asks


cpdef double initiatives_factor(Flow model, long journey, long a, long b) except? -1
