// The files a walk found (load-paths.ts), a column per field: the path, and what its stat said.

/** What a stat says that tells whether a file changed (see the cache's Fingerprint). */
export interface FileState {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/** Fields of a file found, by place in its row of FoundFiles' numbers. */
const SIZE = 0;
const MTIME = 1;
const CTIME = 2;
const INO = 3;
const DEV = 4;
const VIA_LINK = 5;
const WIDTH = 6;


/**
 * Files found, in order: each one's path, its stat's fingerprint, its device and inode (the same
 * for every name of one file) and whether it was reached through a symbolic link (another name of
 * the file, if any, is the one kept). Numbers in one typed array rather than an object per file:
 * 53,819 objects held through a warm start's walk at 5M cost it GC time. Also what an expansion
 * tells of the files it lists (Expansion.states).
 */
export class FoundFiles {
  readonly paths: string[] = [];
  /**
   * Each file's folder (ending in '/') and name, when its path is absolute and in normal form and
   * so is just the two joined (a walk's, see push). A walk's path is its folder and name
   * joined, and comparing the two pieces (the manifest's entries hold the same, listedIn) spares
   * building every whole path in one piece, twice (53,819 paths for each side at 5M: 20-40 ms
   * and as many megabytes for the collector to copy).
   */
  readonly dirs: (string | undefined)[] = [];
  readonly names: (string | undefined)[] = [];
  private numbers = new Float64Array(WIDTH * 1024);

  get length(): number {
    return this.paths.length;
  }

  /** `dir` and `name`: the path is absolute and in normal form already (see absolutePath in load-paths.ts), and is `dir + name`. */
  push(path: string, info: FileState & { dev: number }, viaLink: boolean, dir?: string, name?: string): void {
    const at = this.row();
    this.paths.push(path);
    this.dirs.push(dir);
    this.names.push(name);
    const n = this.numbers;
    n[at + SIZE] = info.size;
    n[at + MTIME] = info.mtimeMs;
    n[at + CTIME] = info.ctimeMs;
    n[at + INO] = info.ino;
    n[at + DEV] = info.dev;
    n[at + VIA_LINK] = viaLink ? 1 : 0;
  }

  /** Adds `from`'s file `i`, reached through a link if it was or `viaLink` says so. */
  pushFrom(from: FoundFiles, i: number, viaLink = false): void {
    const at = this.row();
    this.paths.push(from.paths[i]!);
    this.dirs.push(from.dirs[i]);
    this.names.push(from.names[i]);
    this.numbers.set(from.numbers.subarray(i * WIDTH, (i + 1) * WIDTH), at);
    if (viaLink) this.numbers[at + VIA_LINK] = 1;
  }

  dev(i: number): number {
    return this.numbers[i * WIDTH + DEV]!;
  }

  ino(i: number): number {
    return this.numbers[i * WIDTH + INO]!;
  }

  viaLink(i: number): boolean {
    return this.numbers[i * WIDTH + VIA_LINK] === 1;
  }

  /** File `i`'s path is absolute and in normal form (see push). */
  normal(i: number): boolean {
    return this.dirs[i] !== undefined;
  }

  /** File `i`'s fingerprint, as an object. */
  state(i: number): FileState {
    const at = i * WIDTH;
    const n = this.numbers;
    return { size: n[at + SIZE]!, mtimeMs: n[at + MTIME]!, ctimeMs: n[at + CTIME]!, ino: n[at + INO]! };
  }

  /** Whether file `i` is as `state` describes it (see the cache's sameFingerprint), without making an object. */
  same(i: number, state: FileState): boolean {
    const at = i * WIDTH;
    const n = this.numbers;
    return n[at + SIZE] === state.size && n[at + MTIME] === state.mtimeMs && n[at + CTIME] === state.ctimeMs && n[at + INO] === state.ino;
  }

  /** No file here was reached through a link, and no two are one file (the same device and inode). */
  distinct(): boolean {
    const inodes = new Float64Array(this.length);
    for (let i = 0; i < this.length; i++) {
      if (this.viaLink(i)) return false;
      inodes[i] = this.ino(i);
    }
    inodes.sort();
    // Equal inodes on two devices are two files, but rare enough to be told no.
    for (let i = 1; i < inodes.length; i++) if (inodes[i] === inodes[i - 1]) return false;
    return true;
  }

  /**
   * These files in the order of their paths: this object itself when they are (a walk's nearly
   * always are). Two files of one folder (dirs) are in order when their names are, and the walk
   * lists a folder's names in order: only the paths on either side of a change of folder are
   * compared whole.
   */
  inPathOrder(): FoundFiles {
    const { paths, dirs, names } = this;
    let sorted = true;
    for (let i = 1; i < paths.length && sorted; i++) {
      const dir = dirs[i];
      sorted = dir !== undefined && dir === dirs[i - 1] ? names[i - 1]! <= names[i]! : paths[i - 1]! <= paths[i]!;
    }
    if (sorted) return this;
    const out = new FoundFiles();
    for (const i of Array.from({ length: this.length }, (_, i) => i).sort((a, b) => (paths[a]! < paths[b]! ? -1 : paths[a]! > paths[b]! ? 1 : 0))) out.pushFrom(this, i);
    return out;
  }

  /** The place of the next file's numbers, the array grown if it is full. */
  private row(): number {
    const at = this.paths.length * WIDTH;
    if (at + WIDTH > this.numbers.length) {
      const grown = new Float64Array(this.numbers.length * 2);
      grown.set(this.numbers);
      this.numbers = grown;
    }
    return at;
  }
}
