/** "permission denied" for EACCES: the reason without the errno's path (the caller names the path). */
export function fsReason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'the disk is full';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    case 'ENOENT':
      return 'this file system does not allow new folders or files here';
    default:
      return e.code ?? String(error);
  }
}
