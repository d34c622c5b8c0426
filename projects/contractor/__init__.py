"""Contractors' schedules: read Primavera P6 XER and MS Project XML files, compute their critical path.

Pure: readers take text and return values; :func:`projects.contractor.cpm.schedule` takes a
:class:`~projects.contractor.model.Schedule` and returns the computed dates and float.
"""

from projects.contractor.cpm import Computed, schedule
from projects.contractor.model import Activity, Calendar, Link, Schedule, ScheduleFileError
from projects.contractor.mspdi import read_mspdi
from projects.contractor.read import read_schedule
from projects.contractor.xer import read_xer

__all__ = ["Activity", "Calendar", "Computed", "Link", "Schedule", "ScheduleFileError",
           "read_mspdi", "read_schedule", "read_xer", "schedule"]
