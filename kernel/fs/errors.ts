// What can go wrong in the RSFS library: a problem with an image, a path or an operation
// (ImageError), and its two kinds a file server must tell apart — the image is full (NoSpaceError,
// ENOSPC) and the device failed (DeviceError, EIO). Every other ImageError is a damaged image or a
// refused operation. A leaf: imports nothing.

/** Every problem with an image, a path or an operation on it. */
export class ImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImageError";
  }
}

/** No free block or inode is left (the operation changed nothing it could not take back). */
export class NoSpaceError extends ImageError {
  constructor(message: string) {
    super(message);
    this.name = "NoSpaceError";
  }
}

/** The block device refused a read or a write. */
export class DeviceError extends ImageError {
  constructor(message: string) {
    super(message);
    this.name = "DeviceError";
  }
}
