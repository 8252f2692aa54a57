/*-------------------------------------------------------------------------
 *
 * pgmg.h
 *	  Declarations shared by the pgmg extension's source files.
 *
 * One section per .c file.  Everything here lives in the backend: the
 * engine reads the catalogs directly and uses SPI only for pgmg's own
 * tables and for running user SQL.
 *
 * Copyright (c) 2026, the pgmg authors
 *
 * src/pgmg.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGMG_H
#define PGMG_H

#include "fmgr.h"

#define PGMG_VERSION "0.1"

/* pgmg.c */
extern void _PG_init(void);

#endif							/* PGMG_H */
