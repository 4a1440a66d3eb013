package dev.doorbell.device.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SecretBytesTest {
  private static final byte[] VALUE = {1, 2, 3, 4};

  @Test
  void copyOf_callerChangesArray_secretUnchanged() {
    byte[] source = VALUE.clone();
    SecretBytes secret = SecretBytes.copyOf(source);
    source[0] = 9;
    assertArrayEquals(VALUE, secret.toByteArray());
  }

  @Test
  void toByteArray_returnsFreshCopyEachTime() {
    SecretBytes secret = SecretBytes.copyOf(VALUE);
    byte[] first = secret.toByteArray();
    first[0] = 9;
    assertNotSame(first, secret.toByteArray());
    assertArrayEquals(VALUE, secret.toByteArray());
  }

  @Test
  void equalsConstantTime_sameAndDifferentContents_compareByValue() {
    assertTrue(SecretBytes.copyOf(VALUE).equalsConstantTime(SecretBytes.copyOf(VALUE.clone())));
    assertFalse(SecretBytes.copyOf(VALUE).equalsConstantTime(SecretBytes.copyOf(new byte[] {1, 2, 3, 5})));
    assertFalse(SecretBytes.copyOf(VALUE).equalsConstantTime(SecretBytes.copyOf(new byte[] {1, 2, 3})));
  }

  @Test
  void destroy_thenUse_throwsAndToStringSaysDestroyed() {
    SecretBytes secret = SecretBytes.copyOf(VALUE);
    secret.destroy();
    assertTrue(secret.isDestroyed());
    assertThrows(IllegalStateException.class, secret::toByteArray);
    assertEquals("SecretBytes{4 bytes, destroyed}", secret.toString());
  }

  @Test
  void toString_printsSizeOnly() {
    assertEquals("SecretBytes{4 bytes}", SecretBytes.copyOf(new byte[] {0x41, 0x42, 0x43, 0x44}).toString());
  }
}
