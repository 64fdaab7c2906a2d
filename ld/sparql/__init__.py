"""The public SPARQL endpoint's engine side: vetting queries, running them where they can be
killed, and writing results with caps."""
