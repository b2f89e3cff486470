/*
 * test-message.c - whole-message reassembly and a per-connection send queue
 *
 * See test-message.h for why the test programs collect whole messages.
 */

#include <stdlib.h>
#include <string.h>

#include "test-message.h"

/* Bytes of padding around every payload, as libwebsocket_write() needs. */
#define PADDING (LWS_SEND_BUFFER_PRE_PADDING + LWS_SEND_BUFFER_POST_PADDING)

void
test_message_free(struct test_message *msg)
{
	if (!msg)
		return;
	free(msg->storage);
	free(msg);
}

/*
 * Makes room for `extra` more payload bytes, doubling the capacity so that a
 * message arriving in many small pieces costs amortised O(1) per byte.
 */
static int
assembler_reserve(struct test_assembler *a, size_t extra, size_t max_len)
{
	size_t needed, capacity;
	unsigned char *grown;

	if (extra > max_len || a->len > max_len - extra)
		return -1;
	needed = a->len + extra;
	if (a->storage && needed <= a->capacity)
		return 0;

	capacity = a->capacity ? a->capacity : 256;
	while (capacity < needed)
		capacity = capacity > max_len / 2 ? max_len : capacity * 2;

	grown = realloc(a->storage, capacity + PADDING);
	if (!grown)
		return -1;
	a->storage = grown;
	a->capacity = capacity;

	return 0;
}

enum test_assembler_result
test_assembler_add(struct test_assembler *a, struct libwebsocket *wsi,
		   const void *in, size_t len, size_t max_len)
{
	if (!a->collecting) {
		/*
		 * The opcode belongs to the first frame; continuation frames
		 * inherit it, so read it only once per message.
		 */
		a->collecting = 1;
		a->binary = lws_frame_is_binary(wsi) ? 1 : 0;
	}

	/* Reserve even for len == 0 so an empty message still has storage. */
	if (assembler_reserve(a, len, max_len))
		return TEST_ASSEMBLER_ERROR;
	if (len) {
		memcpy(a->storage + LWS_SEND_BUFFER_PRE_PADDING + a->len, in,
		       len);
		a->len += len;
	}

	/*
	 * The message is over when this piece ends its frame (nothing of the
	 * frame's payload still to come) and that frame carried FIN.
	 */
	if (libwebsockets_remaining_packet_payload(wsi) == 0 &&
	    libwebsocket_is_final_fragment(wsi))
		return TEST_ASSEMBLER_COMPLETE;

	return TEST_ASSEMBLER_PARTIAL;
}

struct test_message *
test_assembler_take(struct test_assembler *a)
{
	struct test_message *msg = malloc(sizeof(*msg));

	if (!msg)
		return NULL;

	msg->next = NULL;
	msg->storage = a->storage;
	msg->len = a->len;
	msg->binary = a->binary;

	memset(a, 0, sizeof(*a));

	return msg;
}

void
test_assembler_reset(struct test_assembler *a)
{
	free(a->storage);
	memset(a, 0, sizeof(*a));
}

void
test_queue_push(struct test_queue *q, struct test_message *msg)
{
	msg->next = NULL;
	if (q->tail)
		q->tail->next = msg;
	else
		q->head = msg;
	q->tail = msg;
	q->count++;
}

struct test_message *
test_queue_pop(struct test_queue *q)
{
	struct test_message *msg = q->head;

	if (!msg)
		return NULL;
	q->head = msg->next;
	if (!q->head)
		q->tail = NULL;
	q->count--;
	msg->next = NULL;

	return msg;
}

void
test_queue_clear(struct test_queue *q)
{
	struct test_message *msg;

	while ((msg = test_queue_pop(q)))
		test_message_free(msg);
}
