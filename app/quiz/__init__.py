"""Quizzes and attempts."""
