"""Milestones: education, positions, certifications, activities."""
