"""``gokart.slack``: not served by kartcore; importing it says so."""

from gokart._dropin import not_provided

not_provided("gokart.slack")
