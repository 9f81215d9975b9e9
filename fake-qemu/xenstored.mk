# fake-xenstored: being written (placeholder)
