/* SPDX-License-Identifier: MIT */
/*
 * public/io/ring.h - the shared-memory request/response ring of split drivers.
 *
 * One shared page: a 64-byte header, then a power-of-two array of slots, each
 * a union of one request and one response. The frontend produces requests
 * and consumes responses; the backend the other way round. Indices only ever
 * grow (they wrap at 2^32) and are reduced modulo the ring size on access.
 *
 * Notification: after publishing new entries (prod moves from old to new) a
 * side notifies its peer iff the peer's event index lies in (old, new], i.e.
 * (new - event) < (new - old) in unsigned arithmetic. A consumer that runs
 * out of work sets its event index to cons + 1 and checks once more before
 * sleeping (the *_final_check functions), so no wake-up is lost.
 *
 * DEFINE_RING_TYPES(name, req_t, rsp_t) defines:
 *   union name_sring_entry, struct name_sring        (the shared page)
 *   struct name_front_ring, struct name_back_ring    (each side's private view)
 * and static inline functions, all prefixed name_:
 *   sring_init(s)                  reset a fresh shared page
 *   ring_size(bytes)               slots that fit in a shared area of that size
 *   front_init(f, s, bytes), back_init(b, s, bytes)
 *   front_full(f), front_req(f, idx), front_push(f) -> notify?
 *   front_unconsumed(f), front_rsp(f, idx), front_final_check(f) -> more?
 *   back_unconsumed(b), back_req(b, idx), back_rsp(b, idx),
 *   back_push(b) -> notify?, back_final_check(b) -> more?
 * The sides own their counters: f->req_prod_pvt, f->rsp_cons, b->req_cons,
 * b->rsp_prod_pvt are advanced by the caller after filling/reading a slot.
 */
#ifndef PVX_PUBLIC_IO_RING_H
#define PVX_PUBLIC_IO_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint32_t RING_IDX;

/* The shared header. Producers write *_prod, consumers write *_event. */
struct ring_shared_hdr {
    RING_IDX req_prod, req_event;
    RING_IDX rsp_prod, rsp_event;
    uint8_t  pvt[4];                /* per-protocol use */
    uint8_t  pad[44];
};
_Static_assert(sizeof(struct ring_shared_hdr) == 64, "ring header size");
_Static_assert(offsetof(struct ring_shared_hdr, rsp_prod) == 8, "ring header rsp_prod");

/* Largest power of two <= n (n > 0). */
static inline uint32_t ring_pow2_floor(uint32_t n)
{
    uint32_t p = 1;

    while ( p <= n / 2 )
        p *= 2;
    return n ? p : 0;
}

/* True when an index moved from old to new passed the peer's event index. */
static inline bool ring_need_notify(RING_IDX old, RING_IDX new, RING_IDX event)
{
    return (RING_IDX)(new - event) < (RING_IDX)(new - old);
}

/*
 * Ordering: slot contents are published before the producer index (release)
 * and read after it (acquire); a full fence separates our index update from
 * reading the peer's event index.
 */
#define ring_load_acquire(p)    __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define ring_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define ring_full_barrier()     __atomic_thread_fence(__ATOMIC_SEQ_CST)

#define DEFINE_RING_TYPES(name, req_t, rsp_t)                                  \
                                                                               \
union name##_sring_entry {                                                     \
    req_t req;                                                                 \
    rsp_t rsp;                                                                 \
};                                                                             \
                                                                               \
struct name##_sring {                                                          \
    RING_IDX req_prod, req_event;                                              \
    RING_IDX rsp_prod, rsp_event;                                              \
    uint8_t  pvt[4];                                                           \
    uint8_t  pad[44];                                                          \
    union name##_sring_entry ring[];                                           \
};                                                                             \
_Static_assert(offsetof(struct name##_sring, ring) == 64, #name " ring hdr"); \
                                                                               \
struct name##_front_ring {                                                     \
    RING_IDX req_prod_pvt;      /* next request slot to fill */                \
    RING_IDX rsp_cons;          /* next response to read */                    \
    uint32_t nr_ents;                                                          \
    struct name##_sring *sring;                                                \
};                                                                             \
                                                                               \
struct name##_back_ring {                                                      \
    RING_IDX rsp_prod_pvt;      /* next response slot to fill */               \
    RING_IDX req_cons;          /* next request to read */                     \
    uint32_t nr_ents;                                                          \
    struct name##_sring *sring;                                                \
};                                                                             \
                                                                               \
static inline uint32_t name##_ring_size(size_t bytes)                          \
{                                                                              \
    return ring_pow2_floor((uint32_t)((bytes - 64) /                           \
                                      sizeof(union name##_sring_entry)));      \
}                                                                              \
                                                                               \
static inline void name##_sring_init(struct name##_sring *s)                   \
{                                                                              \
    s->req_prod = s->rsp_prod = 0;                                             \
    s->req_event = s->rsp_event = 1;                                           \
    for ( unsigned int i = 0; i < sizeof(s->pvt); i++ )                        \
        s->pvt[i] = 0;                                                         \
    for ( unsigned int i = 0; i < sizeof(s->pad); i++ )                        \
        s->pad[i] = 0;                                                         \
}                                                                              \
                                                                               \
static inline void name##_front_init(struct name##_front_ring *f,              \
                                     struct name##_sring *s, size_t bytes)     \
{                                                                              \
    f->req_prod_pvt = 0;                                                       \
    f->rsp_cons = 0;                                                           \
    f->nr_ents = name##_ring_size(bytes);                                      \
    f->sring = s;                                                              \
}                                                                              \
                                                                               \
static inline void name##_back_init(struct name##_back_ring *b,                \
                                    struct name##_sring *s, size_t bytes)      \
{                                                                              \
    b->rsp_prod_pvt = 0;                                                       \
    b->req_cons = 0;                                                           \
    b->nr_ents = name##_ring_size(bytes);                                      \
    b->sring = s;                                                              \
}                                                                              \
                                                                               \
/* Every slot holds a request or a response not yet consumed. */              \
static inline bool name##_front_full(const struct name##_front_ring *f)        \
{                                                                              \
    return (RING_IDX)(f->req_prod_pvt - f->rsp_cons) >= f->nr_ents;            \
}                                                                              \
                                                                               \
static inline req_t *name##_front_req(struct name##_front_ring *f,             \
                                      RING_IDX idx)                            \
{                                                                              \
    return &f->sring->ring[idx & (f->nr_ents - 1)].req;                        \
}                                                                              \
                                                                               \
static inline bool name##_front_push(struct name##_front_ring *f)              \
{                                                                              \
    RING_IDX old = f->sring->req_prod, new = f->req_prod_pvt;                  \
                                                                               \
    ring_store_release(&f->sring->req_prod, new);                              \
    ring_full_barrier();                                                       \
    return ring_need_notify(old, new, ring_load_acquire(&f->sring->req_event)); \
}                                                                              \
                                                                               \
static inline uint32_t name##_front_unconsumed(const struct name##_front_ring *f) \
{                                                                              \
    return ring_load_acquire(&f->sring->rsp_prod) - f->rsp_cons;               \
}                                                                              \
                                                                               \
static inline rsp_t *name##_front_rsp(struct name##_front_ring *f,             \
                                      RING_IDX idx)                            \
{                                                                              \
    return &f->sring->ring[idx & (f->nr_ents - 1)].rsp;                        \
}                                                                              \
                                                                               \
static inline bool name##_front_final_check(struct name##_front_ring *f)       \
{                                                                              \
    if ( name##_front_unconsumed(f) )                                          \
        return true;                                                           \
    ring_store_release(&f->sring->rsp_event, f->rsp_cons + 1);                 \
    ring_full_barrier();                                                       \
    return name##_front_unconsumed(f) != 0;                                    \
}                                                                              \
                                                                               \
/* Requests the backend may take: never more than the free response slots. */ \
static inline uint32_t name##_back_unconsumed(const struct name##_back_ring *b) \
{                                                                              \
    RING_IDX reqs = ring_load_acquire(&b->sring->req_prod) - b->req_cons;      \
    RING_IDX room = b->nr_ents - (RING_IDX)(b->req_cons - b->rsp_prod_pvt);    \
                                                                               \
    return reqs < room ? reqs : room;                                          \
}                                                                              \
                                                                               \
static inline req_t *name##_back_req(struct name##_back_ring *b, RING_IDX idx) \
{                                                                              \
    return &b->sring->ring[idx & (b->nr_ents - 1)].req;                        \
}                                                                              \
                                                                               \
static inline rsp_t *name##_back_rsp(struct name##_back_ring *b, RING_IDX idx) \
{                                                                              \
    return &b->sring->ring[idx & (b->nr_ents - 1)].rsp;                        \
}                                                                              \
                                                                               \
static inline bool name##_back_push(struct name##_back_ring *b)                \
{                                                                              \
    RING_IDX old = b->sring->rsp_prod, new = b->rsp_prod_pvt;                  \
                                                                               \
    ring_store_release(&b->sring->rsp_prod, new);                              \
    ring_full_barrier();                                                       \
    return ring_need_notify(old, new, ring_load_acquire(&b->sring->rsp_event)); \
}                                                                              \
                                                                               \
static inline bool name##_back_final_check(struct name##_back_ring *b)         \
{                                                                              \
    if ( name##_back_unconsumed(b) )                                           \
        return true;                                                           \
    ring_store_release(&b->sring->req_event, b->req_cons + 1);                 \
    ring_full_barrier();                                                       \
    return name##_back_unconsumed(b) != 0;                                     \
}                                                                              \
_Static_assert(1, #name " ring types defined")

#endif /* PVX_PUBLIC_IO_RING_H */
