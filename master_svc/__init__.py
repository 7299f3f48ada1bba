"""Master-data service: geography, organisation and equipment-type masters."""
