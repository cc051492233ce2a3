"""From a folder of files to a corpus of tables: reading, cleaning, structure, segmentation, the load's map and its
cache, document labels, and the :class:`~zhengyan.ingest.corpus.Corpus` data class. Imports only ``core``."""
