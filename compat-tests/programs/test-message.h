/*
 * test-message.h - whole-message reassembly and a per-connection send queue
 *
 * libwebsockets hands RECEIVE data to the user in pieces: a frame longer than
 * the protocol's rx_buffer_size arrives in several callbacks, and a message
 * may be split into several frames.  The test programs want whole messages
 * (the echo server sends back exactly what it got, the mirror server relays
 * drawing commands), so they feed every piece into a test_assembler, which
 * uses libwebsockets_remaining_packet_payload() and
 * libwebsocket_is_final_fragment() to see where the message ends.
 *
 * A finished message is a test_message whose storage already has
 * LWS_SEND_BUFFER_PRE_PADDING bytes in front of the payload and
 * LWS_SEND_BUFFER_POST_PADDING behind it, so it can be handed to
 * libwebsocket_write() as it is, without another copy.
 */

#ifndef LWS_TEST_MESSAGE_H
#define LWS_TEST_MESSAGE_H

#include <stddef.h>

#include <libwebsockets.h>

/* One complete websocket message, ready to be written. */
struct test_message {
	struct test_message *next;	/* link in a test_queue */
	unsigned char *storage;		/* malloc'd: padding + payload + padding */
	size_t len;			/* payload length */
	int binary;			/* 1: binary message, 0: text */
};

/* Start of the payload inside the padded storage. */
static inline unsigned char *
test_message_payload(const struct test_message *msg)
{
	return msg->storage + LWS_SEND_BUFFER_PRE_PADDING;
}

/* The write type that reproduces the message's original opcode. */
static inline enum libwebsocket_write_protocol
test_message_write_type(const struct test_message *msg)
{
	return msg->binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT;
}

void test_message_free(struct test_message *msg);

/*
 * Collects the RECEIVE pieces of one message.  Lives in the per-session data,
 * which the library hands over zeroed, so an all-zero assembler is empty and
 * ready to use.
 */
struct test_assembler {
	unsigned char *storage;		/* padded buffer, grows by realloc */
	size_t len;			/* payload bytes collected so far */
	size_t capacity;		/* payload bytes storage can hold */
	int binary;			/* opcode of the message being collected */
	int collecting;			/* 1 once the first piece has arrived */
};

enum test_assembler_result {
	TEST_ASSEMBLER_ERROR = -1,	/* out of memory or over max_len */
	TEST_ASSEMBLER_PARTIAL = 0,	/* more pieces of this message to come */
	TEST_ASSEMBLER_COMPLETE = 1,	/* call test_assembler_take() now */
};

/*
 * Appends one RECEIVE piece (in, len) of the message on wsi.  max_len bounds
 * the whole message so a peer cannot make the program allocate without limit.
 */
enum test_assembler_result
test_assembler_add(struct test_assembler *a, struct libwebsocket *wsi,
		   const void *in, size_t len, size_t max_len);

/*
 * Hands the completed message over (the caller owns it) and leaves the
 * assembler empty for the next message.  NULL if out of memory.
 */
struct test_message *test_assembler_take(struct test_assembler *a);

/* The collected payload (LWS_SEND_BUFFER_PRE_PADDING usable before it). */
static inline unsigned char *
test_assembler_payload(const struct test_assembler *a)
{
	return a->storage + LWS_SEND_BUFFER_PRE_PADDING;
}

/* Drops a half-collected message (on close). */
void test_assembler_reset(struct test_assembler *a);

/* FIFO of complete messages; all-zero is an empty queue. */
struct test_queue {
	struct test_message *head;
	struct test_message *tail;
	unsigned int count;
};

void test_queue_push(struct test_queue *q, struct test_message *msg);
struct test_message *test_queue_pop(struct test_queue *q);
void test_queue_clear(struct test_queue *q);

#endif /* LWS_TEST_MESSAGE_H */
