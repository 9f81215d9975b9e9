# make bench: being written (placeholder)
