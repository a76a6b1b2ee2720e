/* version.h — the version string, from `git describe` at build time
 * (build/version.c is rewritten only when it changes, so a new commit
 * rebuilds just that file). */
#ifndef LOADTOP_VERSION_H
#define LOADTOP_VERSION_H

extern const char loadtop_version[];

#endif
