"""Make a duban database with the code of commit 6fa0eb3 (before the notifier had migrations
and before rulebook file names were bare), and print it as SQL.

    git archive 6fa0eb3 | tar -x -C OLD && PYTHONPATH=OLD python make_old_database.py DB > dump.sql
"""
import asyncio
import datetime as dt
import sqlite3
import sys

from api import database, users
from api.service import Server, now_iso
from api.settings import Settings
from projects import repository as repo
from rules import repository as rules_repo
from rules.standard import standard_sources
from tests.api.conftest import PORTFOLIO, TODAY


async def main(path: str) -> None:
    settings = Settings(database_url=f"sqlite:///{path}", secret_key="old", cookie_secure=False,
                        today=TODAY, demo=False)
    engine = database.make_engine(settings)
    await database.open_engine(engine)
    await database.migrate(engine)
    database.bind(engine)
    server = Server(settings, engine)
    async with server.writing():
        await repo.import_portfolio(PORTFOLIO, actor="seed", known_on=TODAY - dt.timedelta(days=60),
                                    recorded_at=now_iso())
        await repo.bump_revision()
        await users.create("office", role="office", unit=None, password="correct horse battery",
                           display="office", units={u.id for u in PORTFOLIO.units})
        # The command line's keys: standard/NAME.rules.
        v = await rules_repo.save_draft(standard_sources(), author="office", note="old keys", at=now_iso())
        await rules_repo.mark_checked(v.number, at=now_iso())
    await server.publish("office", v.number)
    await database.close_engine(engine)


asyncio.run(main(sys.argv[1]))
with sqlite3.connect(sys.argv[1]) as db:
    for line in db.iterdump():
        print(line)
