/*===- runtime.h - The C ABI between generated code and the runtime -----===*
 *
 * Generated code calls the runtime only through the functions declared here.
 * The ABI is versioned: KILN_RUNTIME_ABI_VERSION changes whenever a
 * declaration does, and kiln_runtime_abi_version() reports the version a
 * binary was linked against.
 *
 *===---------------------------------------------------------------------===*/

#ifndef KILN_RUNTIME_H
#define KILN_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KILN_RUNTIME_ABI_VERSION 1

/* Alignment of every runtime buffer: one cache line, and enough for any
 * vector load the compiler emits. */
#define KILN_BUFFER_ALIGNMENT 64

uint32_t kiln_runtime_abi_version(void);

/* A buffer of `bytes` bytes aligned to KILN_BUFFER_ALIGNMENT, zero-filled.
 * Returns NULL when memory is exhausted. */
void *kiln_buffer_alloc(size_t bytes);
void kiln_buffer_free(void *buffer);

#ifdef __cplusplus
}
#endif

#endif /* KILN_RUNTIME_H */
