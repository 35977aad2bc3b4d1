"""The moto server and clients of the command tests, for the query layer's own tests."""

from tests.fakes.moto import moto_url  # noqa: F401 (fixture)
from tests.unit.commands.platform import aws, moto_server  # noqa: F401 (fixtures)
