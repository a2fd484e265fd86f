"""``gokart.in_memory``: not served by kartcore; importing it says so."""

from gokart._dropin import not_provided

not_provided("gokart.in_memory")
