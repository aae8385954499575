"""The four export formats (PDF, CSV, FHIR, iCalendar), written from plain data to a stream."""
