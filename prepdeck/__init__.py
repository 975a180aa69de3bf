"""prepdeck: one YAML source of interview-prep material, compiled into study artifacts."""
