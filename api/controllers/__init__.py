"""HTTP controllers, one per resource; each is thin and calls ``api.service``/repositories."""
