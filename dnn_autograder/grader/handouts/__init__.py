"""What instructors hand out: the student handout and self-check kit, mutant submissions."""
