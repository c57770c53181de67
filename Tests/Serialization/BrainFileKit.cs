using System;
using System.IO;
using Cortex.Serialization;
using MemoryPack;

namespace Cortex.Tests.Serialization;

/// <summary>Brains, data and file surgery shared by the serialization fixtures.</summary>
internal static class BrainFileKit
{
    public static readonly DateTimeOffset FixedTime = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public static Brain Classifier(ulong seed, Optimizer? optimizer = null) =>
        Brain.Create(4).Dense(8, Activation.LeakyReluWithSlope(0.05f)).Dense(6, Activation.EluWithAlpha(0.5f)).Dense(3, Activation.Softmax)
            .Loss(Loss.SoftmaxCrossEntropy).Optimizer(optimizer ?? Optimizer.Adam(0.01f).WithGradientClipping(5f).WithWeightDecay(1e-4f))
            .MaxBatch(16).Build(seed);

    public static Brain Regressor(ulong seed) =>
        Brain.Create(3).Dense(5, Activation.Tanh).Dense(2, Activation.Linear)
            .Loss(Loss.HuberWithDelta(0.5f)).Optimizer(Optimizer.WithMomentum(0.05f, 0.8f, nesterov: true)).MaxBatch(8).Build(seed);

    public static (float[] X, float[] Y) Data(int rows, int inputs, int outputs, ulong seed)
    {
        var random = new SeededRandom(seed);
        float[] x = new float[rows * inputs], y = new float[rows * outputs];
        for (int i = 0; i < x.Length; i++) x[i] = random.NextFloat(-1f, 1f);
        for (int r = 0; r < rows; r++) y[r * outputs + (x[r * inputs] > 0 ? 0 : outputs - 1)] = 1f;
        return (x, y);
    }

    /// <summary>Trains <paramref name="steps"/> minibatches whose rows the brain's own generator picks (so its state matters).</summary>
    public static void Train(Brain brain, int steps, float[] x, float[] y, int batch)
    {
        int rows = x.Length / brain.Inputs;
        float[] bx = new float[batch * brain.Inputs], by = new float[batch * brain.Outputs];
        for (int s = 0; s < steps; s++)
        {
            for (int r = 0; r < batch; r++)
            {
                int pick = brain.Random.NextInt(rows);
                Array.Copy(x, pick * brain.Inputs, bx, r * brain.Inputs, brain.Inputs);
                Array.Copy(y, pick * brain.Outputs, by, r * brain.Outputs, brain.Outputs);
            }
            brain.Train(bx, by, batch);
        }
    }

    public static float[] Parameters(Brain brain)
    {
        float[] p = new float[brain.ParameterCount];
        brain.CopyParametersTo(p);
        return p;
    }

    public static float[] Predict(Brain brain, float[] x)
    {
        int rows = x.Length / brain.Inputs;
        float[] y = new float[rows * brain.Outputs];
        brain.Predict(x, y, rows);
        return y;
    }

    public static BrainSaveOptions Fixed(bool optimizerState = true) => new() { Timestamp = FixedTime, IncludeOptimizerState = optimizerState };

    /// <summary>A brain file whose payload is the DTO of <paramref name="brain"/> after <paramref name="mutate"/>, with a valid header and checksum.</summary>
    public static byte[] Forge(Brain brain, Action<BrainFileDto> mutate, BrainFileFlags? flags = null)
    {
        (BrainFileDto dto, BrainFileFlags f) = BrainSnapshot.Capture(brain, Fixed());
        mutate(dto);
        return WithHeader(MemoryPackSerializer.Serialize(dto), flags ?? f);
    }

    /// <summary>Header (valid checksum) + payload.</summary>
    public static byte[] WithHeader(ReadOnlySpan<byte> payload, BrainFileFlags flags)
    {
        byte[] file = new byte[BrainFile.HeaderLength + payload.Length];
        BrainFileHeader.Write(file, flags, payload);
        payload.CopyTo(file.AsSpan(BrainFile.HeaderLength));
        return file;
    }

    /// <summary>Re-signs a file whose header fields or payload were edited, so that the payload parser sees the edit.</summary>
    public static byte[] Resign(byte[] file)
    {
        byte[] copy = (byte[])file.Clone();
        if (copy.Length < BrainFile.HeaderLength) return copy;
        ulong sum = BrainFileHeader.ComputeChecksum(copy, copy.AsSpan(BrainFile.HeaderLength));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(copy.AsSpan(24), sum);
        return copy;
    }

    /// <summary>Sets the header's payload length to the actual length, then re-signs.</summary>
    public static byte[] FixLengthAndResign(byte[] file)
    {
        byte[] copy = (byte[])file.Clone();
        if (copy.Length < BrainFile.HeaderLength) return copy;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(copy.AsSpan(16), (ulong)(copy.Length - BrainFile.HeaderLength));
        return Resign(copy);
    }

    public static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle)
    {
        int at = haystack.AsSpan().IndexOf(needle);
        if (at < 0) throw new InvalidOperationException("marker not found in the payload");
        return at;
    }

    /// <summary>Replaces <paramref name="count"/> bytes at <paramref name="at"/> with <paramref name="with"/> and re-signs (length fixed).</summary>
    public static byte[] Splice(byte[] file, int at, int count, ReadOnlySpan<byte> with)
    {
        byte[] result = new byte[file.Length - count + with.Length];
        file.AsSpan(0, at).CopyTo(result);
        with.CopyTo(result.AsSpan(at));
        file.AsSpan(at + count).CopyTo(result.AsSpan(at + with.Length));
        return FixLengthAndResign(result);
    }

    public static BrainFormatException Rejects(byte[] file, BrainLoadOptions? options = null)
    {
        try
        {
            using Brain brain = BrainFile.Read(file, null, options);
        }
        catch (BrainFormatException e)
        {
            return e;
        }
        throw new InvalidOperationException("the file was accepted");
    }
}

/// <summary>Passes writes through until <see cref="FailAfter"/> bytes, then writes the part that fits and throws.</summary>
internal sealed class FailingStream : Stream
{
    private readonly Stream _inner;
    private long _written;

    public FailingStream(Stream inner, long failAfter, bool failOnFlush = false)
    {
        _inner = inner;
        FailAfter = failAfter;
        FailOnFlush = failOnFlush;
    }

    public long FailAfter { get; }

    public bool FailOnFlush { get; }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _inner.Length;
    public override long Position { get => _inner.Position; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count)
    {
        long room = FailAfter - _written;
        if (count > room)
        {
            if (room > 0) _inner.Write(buffer, offset, (int)room);
            _written += Math.Max(room, 0);
            throw new IOException($"injected failure after {FailAfter} bytes");
        }
        _inner.Write(buffer, offset, count);
        _written += count;
    }

    public override void Flush()
    {
        if (FailOnFlush) throw new IOException("injected failure on flush");
        _inner.Flush();
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}

/// <summary>A read-only, non-seekable view that hands out at most <c>chunk</c> bytes per read.</summary>
internal sealed class TrickleStream : Stream
{
    private readonly byte[] _data;
    private readonly int _chunk;
    private int _at;

    public TrickleStream(byte[] data, int chunk = 7)
    {
        _data = data;
        _chunk = chunk;
    }

    public int Consumed => _at;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        int n = Math.Min(Math.Min(count, _chunk), _data.Length - _at);
        Array.Copy(_data, _at, buffer, offset, n);
        _at += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
