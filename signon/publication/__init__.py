"""Publication: freezing a closed statement's text and list into dated editions."""
