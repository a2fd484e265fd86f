"""``gokart.gcs_obj_metadata_client``: not served by kartcore; importing it says so."""

from gokart._dropin import not_provided

not_provided("gokart.gcs_obj_metadata_client", "kartcore does not label GCS objects with task metadata")
