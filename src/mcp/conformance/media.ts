// Generated once with node:zlib and hand-built headers so the fixtures need no binary assets on disk.

/** A 1×1 red RGB PNG, base64. Used wherever a scenario expects image bytes. */
export const RED_PIXEL_PNG_BASE64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

/** A 1 ms mono 8-bit 8 kHz PCM WAV of silence, base64. The smallest file players still accept. */
export const SILENT_WAV_BASE64 = "UklGRiwAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQgAAACAgICAgICAgA==";
