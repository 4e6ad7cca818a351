"""Importing ``models`` registers no table (a read builds only the classes it uses, issue 13),
so two things must hold: ``models.TABLE_MODULES`` names every module that defines a table
(Alembic and the schema tests register them all through ``models.all_tables``), and each
table module, imported alone in a fresh process, can resolve every foreign key it declares
(the module of the table it names is imported with it)."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from importlib import import_module

import pytest
from sqlmodel import SQLModel

import models
from models import TABLE_MODULES
from tests.cli.running import ROOT

RESOLVE_ALONE = """
import json, sys
from importlib import import_module
from sqlalchemy.orm import configure_mappers
from sqlmodel import SQLModel
import_module(sys.argv[1])
configure_mappers()
print(json.dumps(sorted(f"{fk.parent.table.name}.{fk.parent.name}->{fk.column.table.name}.{fk.column.name}"
                        for table in SQLModel.metadata.tables.values() for fk in table.foreign_keys)))
"""


def test_every_module_that_defines_a_table_is_in_table_modules():
    for info in pkgutil.iter_modules(models.__path__, "models."):
        if info.name != "models.migrations":
            import_module(info.name)
    defining = {mapper.class_.__module__ for mapper in SQLModel._sa_registry.mappers  # type: ignore[attr-defined]
                if mapper.class_.__module__.startswith("models.")}
    assert defining == set(TABLE_MODULES)


@pytest.mark.parametrize("module", TABLE_MODULES)
def test_a_table_module_imported_alone_resolves_its_foreign_keys(module):
    done = subprocess.run([sys.executable, "-c", RESOLVE_ALONE, module], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert done.returncode == 0, done.stderr.strip().splitlines()[-1:]
    assert isinstance(json.loads(done.stdout), list)


def test_importing_models_registers_no_table():
    done = subprocess.run([sys.executable, "-c", "import models, sqlmodel; print(len(sqlmodel.SQLModel.metadata.tables))"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
                          env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert done.stdout.strip() == "0", done.stderr
