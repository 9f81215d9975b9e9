# xen-qmp command line tool: being written (placeholder)
