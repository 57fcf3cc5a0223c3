"""The knowledge base: guide model and the YAML loader/validator."""
from .loader import load_directory, read_catalogue
from .model import (CENTRE_DEFAULT, SECTION_NAMES, SECTIONS, Category, Centre, FAQ, Guide, KnowledgeBase, Source,
                    Material)
from .problems import Problem

__all__ = ["load_directory", "read_catalogue", "CENTRE_DEFAULT", "SECTION_NAMES", "SECTIONS", "Category",
           "Centre", "FAQ", "Guide", "KnowledgeBase", "Material", "Problem"]
