"""nfvplan: place telco network functions as VMs or containers, at the lowest cost that holds."""

__version__ = "0.1.0"
