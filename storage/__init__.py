"""Storage: typed reads and writes, one module per aggregate (SQLAlchemy Core).

How to import a storage module (one name per module, everywhere, storage/ included):

- By module, under its own name: `from storage import vacancies`, then
  `vacancies.get_vacancy(conn, ...)`. No `as repo` or other short aliases.
- Except the modules named after plurals the services also use for values (a list of
  `people`, `shifts`, `bookings`, `absences`) and `alerts` (`*alerts` is a parameter
  in bot.services.alerts): always `from storage import people as people_repo`, and
  likewise `shifts_repo`, `bookings_repo`, `absences_repo`, `alerts_repo`.
- The schema is `from storage import tables as t` (tests/sms spell it `tb`).
- Infrastructure that is not an aggregate (`storage.db.Database`, `storage.migrate`,
  the importers) is imported by name: `from storage.db import Database`.

The call-out aggregates: `shifts` (the schedule), `absences`, `vacancies` (and their
offers), `bookings`, and `history` (what ranking and coordinators read about people:
commitments, fairness history, declines, past answers).
"""
