using System;
using System.Buffers;
using System.IO;
using Cortex.Backends;
using MemoryPack;

namespace Cortex.Serialization;

/// <summary>
/// Brain files: a 32-byte header (magic, format version, flags, payload length, XxHash64 checksum)
/// followed by a version-tolerant MemoryPack payload with the architecture, weights, optional optimizer
/// state, generator state, metadata and named float sections. Saving to a path is atomic; reading
/// throws only <see cref="BrainFormatException"/> for bad bytes and allocates at most a small multiple
/// of the file's length plus the brain's workspace, which <see cref="BrainLoadOptions.MaxWorkspaceFloats"/> caps.
/// </summary>
public static class BrainFile
{
    /// <summary>The customary file extension.</summary>
    public const string Extension = ".cbrain";

    /// <summary>The format version this library writes (and the newest it reads).</summary>
    public const int FormatVersion = BrainFileHeader.CurrentVersion;

    /// <summary>Bytes of the fixed header in front of the payload.</summary>
    public const int HeaderLength = BrainFileHeader.Size;

    /// <summary>Largest payload the format allows (256 MiB: about 21 million parameters with Adam's state).</summary>
    public const int MaxPayloadLength = FormatLimits.MaxPayloadBytes;

    private const int CopyChunk = 1 << 16;

    // ---------------------------------------------------------------- writing

    /// <summary>The whole file as a new array.</summary>
    /// <param name="brain">The brain to save.</param>
    /// <param name="options">What to include; null for the defaults.</param>
    public static byte[] ToBytes(Brain brain, BrainSaveOptions? options = null)
    {
        byte[] payload = Encode(brain, options, out BrainFileFlags flags);
        byte[] file = new byte[HeaderLength + payload.Length];
        BrainFileHeader.Write(file, flags, payload);
        payload.CopyTo(file, HeaderLength);
        return file;
    }

    /// <summary>Writes the file into a buffer writer (header, then payload).</summary>
    /// <param name="brain">The brain to save.</param>
    /// <param name="destination">Where the bytes go.</param>
    /// <param name="options">What to include; null for the defaults.</param>
    public static void Write(Brain brain, IBufferWriter<byte> destination, BrainSaveOptions? options = null)
    {
        if (destination is null) throw new ArgumentNullException(nameof(destination));
        byte[] payload = Encode(brain, options, out BrainFileFlags flags);
        Span<byte> header = stackalloc byte[HeaderLength];
        BrainFileHeader.Write(header, flags, payload);
        destination.Write(header);
        destination.Write(payload);
    }

    /// <summary>Writes the file to a stream at its current position (not atomic: use <see cref="Save(Brain, string, BrainSaveOptions?)"/> for files).</summary>
    /// <param name="brain">The brain to save.</param>
    /// <param name="destination">A writable stream; left open.</param>
    /// <param name="options">What to include; null for the defaults.</param>
    public static void Write(Brain brain, Stream destination, BrainSaveOptions? options = null)
    {
        if (destination is null) throw new ArgumentNullException(nameof(destination));
        if (!destination.CanWrite) throw new ArgumentException("The stream is not writable.", nameof(destination));
        byte[] payload = Encode(brain, options, out BrainFileFlags flags);
        byte[] header = new byte[HeaderLength];
        BrainFileHeader.Write(header, flags, payload);
        destination.Write(header, 0, HeaderLength);
        for (int at = 0; at < payload.Length; at += CopyChunk) destination.Write(payload, at, Math.Min(CopyChunk, payload.Length - at));
    }

    /// <summary>
    /// Saves atomically: writes a temporary file beside <paramref name="path"/>, flushes it to disk, then
    /// renames it over the old file. A failure at any point (an exception, a crash, a full disk) leaves
    /// the previous file as it was and removes the temporary file where it can.
    /// </summary>
    /// <param name="brain">The brain to save.</param>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="options">What to include; null for the defaults.</param>
    public static void Save(Brain brain, string path, BrainSaveOptions? options = null) => SaveAtomic(brain, path, options, null, null);

    /// <summary>The atomic save, with seams for tests: wrap the temporary file's stream, act just before the rename.</summary>
    internal static void SaveAtomic(Brain brain, string path, BrainSaveOptions? options, Func<Stream, Stream>? wrapTemporary, Action<string>? beforeReplace)
    {
        AtomicFile.CheckPath(path);
        byte[] file = ToBytes(brain, options);   // everything that can fail on the brain's account fails before the disk is touched
        AtomicFile.Write(path, file, wrapTemporary, beforeReplace);
    }

    private static byte[] Encode(Brain brain, BrainSaveOptions? options, out BrainFileFlags flags)
    {
        if (brain is null) throw new ArgumentNullException(nameof(brain));
        return Encode(BrainSnapshot.Capture(brain, options ?? new BrainSaveOptions()), nameof(brain), out flags);
    }

    private static byte[] Encode(RecurrentBrain brain, BrainSaveOptions? options, out BrainFileFlags flags)
    {
        if (brain is null) throw new ArgumentNullException(nameof(brain));
        return Encode(RecurrentSnapshot.Capture(brain, options ?? new BrainSaveOptions()), nameof(brain), out flags);
    }

    private static byte[] Encode((BrainFileDto Dto, BrainFileFlags Flags) captured, string paramName, out BrainFileFlags flags)
    {
        byte[] payload = MemoryPackSerializer.Serialize(captured.Dto, MemoryPackSerializerOptions.Utf16);   // UTF-16 strings decode to as many bytes as they take in the file
        if (payload.Length > MaxPayloadLength)
        {
            throw new ArgumentException($"The brain needs a {payload.Length}-byte payload; a brain file holds at most {MaxPayloadLength} (save without optimizer state?).", paramName);
        }
        flags = captured.Flags;
        return payload;
    }

    // ---------------------------------------------------------------- recurrent brains (format 2)

    /// <summary>A recurrent brain's whole file as a new array.</summary>
    /// <param name="brain">The brain to save.</param>
    /// <param name="options">What to include; null for the defaults.</param>
    public static byte[] ToBytes(RecurrentBrain brain, BrainSaveOptions? options = null) => WithHeader(Encode(brain, options, out BrainFileFlags flags), flags);

    /// <summary>Writes a recurrent brain's file into a buffer writer (header, then payload).</summary>
    /// <param name="brain">The brain to save.</param>
    /// <param name="destination">Where the bytes go.</param>
    /// <param name="options">What to include; null for the defaults.</param>
    public static void Write(RecurrentBrain brain, IBufferWriter<byte> destination, BrainSaveOptions? options = null)
    {
        if (destination is null) throw new ArgumentNullException(nameof(destination));
        destination.Write(ToBytes(brain, options));
    }

    /// <summary>Writes a recurrent brain's file to a stream at its current position (not atomic: use <see cref="Save(RecurrentBrain, string, BrainSaveOptions?)"/> for files).</summary>
    /// <param name="brain">The brain to save.</param>
    /// <param name="destination">A writable stream; left open.</param>
    /// <param name="options">What to include; null for the defaults.</param>
    public static void Write(RecurrentBrain brain, Stream destination, BrainSaveOptions? options = null)
    {
        if (destination is null) throw new ArgumentNullException(nameof(destination));
        if (!destination.CanWrite) throw new ArgumentException("The stream is not writable.", nameof(destination));
        byte[] file = ToBytes(brain, options);
        for (int at = 0; at < file.Length; at += CopyChunk) destination.Write(file, at, Math.Min(CopyChunk, file.Length - at));
    }

    /// <summary>Saves a recurrent brain atomically, as <see cref="Save(Brain, string, BrainSaveOptions?)"/> does a dense one.</summary>
    /// <param name="brain">The brain to save.</param>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="options">What to include; null for the defaults.</param>
    public static void Save(RecurrentBrain brain, string path, BrainSaveOptions? options = null)
    {
        AtomicFile.CheckPath(path);
        byte[] file = ToBytes(brain, options);   // everything that can fail on the brain's account fails before the disk is touched
        AtomicFile.Write(path, file, null, null);
    }

    /// <summary>Loads a recurrent brain (GRU or Elman RNN, then dense layers) from a file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="backend">Where the brain runs; null for a private one-thread CPU backend.</param>
    /// <param name="options">Limits and overrides (<see cref="BrainLoadOptions.MaxBatch"/> sets the agents per call); null for the defaults.</param>
    /// <exception cref="BrainFormatException">The file is not a valid brain file, or holds a dense brain (load that with <see cref="Load"/>).</exception>
    public static RecurrentBrain LoadRecurrent(string path, IBackend? backend = null, BrainLoadOptions? options = null)
    {
        using FileStream stream = OpenRead(path);
        byte[] file = ReadFile(stream, exactLength: true);
        return ReadRecurrent(file, backend, options);
    }

    /// <summary>Reads one recurrent brain's file from a stream, leaving it just after the file's last byte.</summary>
    /// <param name="source">A readable stream positioned at the header.</param>
    /// <param name="backend">Where the brain runs; null for a private one-thread CPU backend.</param>
    /// <param name="options">Limits and overrides; null for the defaults.</param>
    /// <exception cref="BrainFormatException">The bytes are not a valid recurrent brain file.</exception>
    public static RecurrentBrain ReadRecurrent(Stream source, IBackend? backend = null, BrainLoadOptions? options = null) =>
        ReadRecurrent(ReadFile(CheckReadable(source), exactLength: false), backend, options);

    /// <summary>Reads a recurrent brain from a buffer that holds exactly one brain file.</summary>
    /// <param name="data">The file's bytes.</param>
    /// <param name="backend">Where the brain runs; null for a private one-thread CPU backend.</param>
    /// <param name="options">Limits and overrides; null for the defaults.</param>
    /// <exception cref="BrainFormatException">The bytes are not a valid recurrent brain file.</exception>
    public static RecurrentBrain ReadRecurrent(ReadOnlySpan<byte> data, IBackend? backend = null, BrainLoadOptions? options = null)
    {
        options ??= new BrainLoadOptions();
        return RecurrentSnapshot.Build(ReadValidated(data, options, recurrent: true), backend, options);
    }

    private static byte[] WithHeader(byte[] payload, BrainFileFlags flags)
    {
        byte[] file = new byte[HeaderLength + payload.Length];
        BrainFileHeader.Write(file, flags, payload);
        payload.CopyTo(file, HeaderLength);
        return file;
    }

    // ---------------------------------------------------------------- reading

    /// <summary>Loads a (dense) brain from a file; a recurrent brain's file loads with <see cref="LoadRecurrent"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="backend">Where the brain runs; null for a private CPU backend.</param>
    /// <param name="options">Limits and overrides; null for the defaults.</param>
    /// <exception cref="BrainFormatException">The file is not a valid brain file (the message says what and where), or holds a recurrent brain.</exception>
    public static Brain Load(string path, IBackend? backend = null, BrainLoadOptions? options = null)
    {
        using FileStream stream = OpenRead(path);
        byte[] file = ReadFile(stream, exactLength: true);
        return Read(file, backend, options);
    }

    /// <summary>Reads one brain file from a stream, leaving it just after the file's last byte.</summary>
    /// <param name="source">A readable stream positioned at the header.</param>
    /// <param name="backend">Where the brain runs; null for a private CPU backend.</param>
    /// <param name="options">Limits and overrides; null for the defaults.</param>
    /// <exception cref="BrainFormatException">The bytes are not a valid brain file.</exception>
    public static Brain Read(Stream source, IBackend? backend = null, BrainLoadOptions? options = null) =>
        Read(ReadFile(CheckReadable(source), exactLength: false), backend, options);

    /// <summary>Reads a brain from a buffer that holds exactly one brain file.</summary>
    /// <param name="data">The file's bytes.</param>
    /// <param name="backend">Where the brain runs; null for a private CPU backend.</param>
    /// <param name="options">Limits and overrides; null for the defaults.</param>
    /// <exception cref="BrainFormatException">The bytes are not a valid brain file.</exception>
    public static Brain Read(ReadOnlySpan<byte> data, IBackend? backend = null, BrainLoadOptions? options = null)
    {
        options ??= new BrainLoadOptions();
        return BrainSnapshot.Build(ReadValidated(data, options, recurrent: false), backend, options);
    }

    private static BrainSnapshot.Validated ReadValidated(ReadOnlySpan<byte> data, BrainLoadOptions options, bool recurrent)
    {
        try
        {
            BrainFileHeader header = Open(data, out ReadOnlySpan<byte> payload);
            BrainFileDto dto = DeserializeFile(payload);
            return BrainSnapshot.Validate(dto, header.Flags, header.Version, options, recurrent);
        }
        catch (Exception e) when (e is not BrainFormatException)
        {
            throw Unexpected(e);
        }
    }

    /// <summary>Reads a file's metadata and spec without reading its weights or building a brain (the checksum is still verified).</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="BrainFormatException">The file is not a valid brain file.</exception>
    public static BrainInfo ReadInfo(string path)
    {
        using FileStream stream = OpenRead(path);
        return ReadInfo(ReadFile(stream, exactLength: true));
    }

    /// <summary>Reads one file's metadata and spec from a stream, leaving it just after the file.</summary>
    /// <param name="source">A readable stream positioned at the header.</param>
    /// <exception cref="BrainFormatException">The bytes are not a valid brain file.</exception>
    public static BrainInfo ReadInfo(Stream source) => ReadInfo(ReadFile(CheckReadable(source), exactLength: false));

    /// <summary>Reads a file's metadata and spec from a buffer holding exactly one brain file.</summary>
    /// <param name="data">The file's bytes.</param>
    /// <exception cref="BrainFormatException">The bytes are not a valid brain file.</exception>
    public static BrainInfo ReadInfo(ReadOnlySpan<byte> data)
    {
        try
        {
            BrainFileHeader header = Open(data, out ReadOnlySpan<byte> payload);
            BrainFileInfoDto dto = DeserializeInfo(payload);
            return BrainSnapshot.ValidateInfo(dto, header.Flags, header.Version, data.Length);
        }
        catch (Exception e) when (e is not BrainFormatException)
        {
            throw Unexpected(e);
        }
    }

    private static BrainFileHeader Open(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> payload)
    {
        BrainFileHeader header = BrainFileHeader.Parse(data, data.Length >= HeaderLength ? data.Length - HeaderLength : null, exactLength: true);
        payload = data.Slice(HeaderLength, (int)header.PayloadLength);
        header.VerifyChecksum(data, payload);
        return header;
    }

    // Two concrete calls rather than one generic helper: MemoryPack's generic entry point wants trimming annotations.
    private static BrainFileDto DeserializeFile(ReadOnlySpan<byte> payload)
    {
        BrainFileDto? value = null;
        int consumed;
        try
        {
            consumed = MemoryPackSerializer.Deserialize(payload, ref value);
        }
        catch (MemoryPackSerializationException e)
        {
            throw Malformed(e);
        }
        CheckWhole(value, consumed, payload.Length);
        return value!;
    }

    private static BrainFileInfoDto DeserializeInfo(ReadOnlySpan<byte> payload)
    {
        BrainFileInfoDto? value = null;
        int consumed;
        try
        {
            consumed = MemoryPackSerializer.Deserialize(payload, ref value);
        }
        catch (MemoryPackSerializationException e)
        {
            throw Malformed(e);
        }
        CheckWhole(value, consumed, payload.Length);
        return value!;
    }

    private static BrainFormatException Malformed(MemoryPackSerializationException e) =>
        new($"the payload is not valid MemoryPack data: {e.Message}", HeaderLength, inner: e);

    private static void CheckWhole(object? value, int consumed, int length)
    {
        if (value is null) throw new BrainFormatException("the payload is a null object", HeaderLength);
        if (consumed != length) throw new BrainFormatException($"{length - consumed} bytes remain after the payload's last member", HeaderLength + consumed);
    }

    private static BrainFormatException Unexpected(Exception e) =>
        new($"the payload could not be decoded ({e.GetType().Name}: {e.Message})", HeaderLength, inner: e);

    private static FileStream OpenRead(string path)
    {
        if (path is null) throw new ArgumentNullException(nameof(path));
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);   // unbuffered: ReadFile reads into its own array
    }

    private static Stream CheckReadable(Stream source)
    {
        if (source is null) throw new ArgumentNullException(nameof(source));
        if (!source.CanRead) throw new ArgumentException("The stream is not readable.", nameof(source));
        return source;
    }

    /// <summary>
    /// Reads header and payload into one array, allocating no more than a small multiple of the bytes that
    /// actually arrive: a seekable stream's length is checked against the header first; from a non-seekable
    /// stream the bytes are gathered in chunks (each at most what has arrived so far) until a quarter of the
    /// announced length is there, and only then is the whole file's array allocated. A valid file so costs
    /// at most 1¼ times its length; a stream that stops early, at most 5 times what it delivered.
    /// </summary>
    private static byte[] ReadFile(Stream stream, bool exactLength)
    {
        byte[] head = new byte[HeaderLength];
        int got = ReadFully(stream, head, 0, HeaderLength);
        long? available = null;
        if (stream.CanSeek) available = stream.Length - stream.Position;
        BrainFileHeader header = BrainFileHeader.Parse(head.AsSpan(0, got), got == HeaderLength ? available : null, exactLength && available.HasValue);
        int total = HeaderLength + (int)header.PayloadLength;
        byte[] file;
        if (available.HasValue)
        {
            file = new byte[total];
            head.CopyTo(file, 0);
            got = HeaderLength + ReadFully(stream, file, HeaderLength, total - HeaderLength);
        }
        else
        {
            got = ReadUnknownLength(stream, head, total, out file);
        }
        if (got < total)
        {
            throw new BrainFormatException($"the stream ended after {got} of the {total} bytes the header announces (truncated?)", got, "header.payloadLength");
        }
        return file;
    }

    // The non-seekable case of ReadFile: chunks while the announced length is unproven, then one exact array.
    private static int ReadUnknownLength(Stream stream, byte[] head, int total, out byte[] file)
    {
        const int firstChunk = 1 << 12;
        int threshold = total / 4, got = HeaderLength;
        var chunks = new System.Collections.Generic.List<byte[]>();
        while (got < total && got < threshold)
        {
            // Each chunk holds at most as much as has arrived (or 4 KiB), and never reaches past the threshold.
            byte[] chunk = new byte[Math.Min(Math.Max(got, firstChunk), Math.Max(threshold - got, 1))];
            int n = ReadFully(stream, chunk, 0, chunk.Length);
            if (n < chunk.Length)
            {
                // The stream ended: report what arrived without building the whole file.
                file = head;
                return got + n;
            }
            chunks.Add(chunk);
            got += n;
        }
        file = new byte[total];
        head.CopyTo(file, 0);
        int at = HeaderLength;
        foreach (byte[] chunk in chunks)
        {
            chunk.CopyTo(file, at);
            at += chunk.Length;
        }
        return got + ReadFully(stream, file, got, total - got);
    }

    private static int ReadFully(Stream stream, byte[] buffer, int offset, int count)
    {
        int done = 0;
        while (done < count)
        {
            int n = stream.Read(buffer, offset + done, count - done);
            if (n == 0) break;
            done += n;
        }
        return done;
    }
}
