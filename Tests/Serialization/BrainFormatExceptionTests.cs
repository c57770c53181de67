using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;
using Cortex.Serialization;
using NUnit.Framework;
using static Cortex.Tests.Serialization.BrainFileKit;

namespace Cortex.Tests.Serialization;

/// <summary>Every kind of bad file raises a BrainFormatException that says what and where — and nothing else.</summary>
[TestFixture]
public sealed class BrainFormatExceptionTests
{
    private Brain _brain = null!;
    private byte[] _file = null!;

    [OneTimeSetUp]
    public void MakeFile()
    {
        _brain = Regressor(21);
        (float[] x, float[] y) = Data(32, 3, 2, 22);
        Train(_brain, 5, x, y, 8);
        _brain.Name = "subject";
        _brain.UserData["k"] = "v";
        _brain.Sections["s"] = new[] { 1f, 2f };
        _file = BrainFile.ToBytes(_brain, Fixed());
    }

    [OneTimeTearDown]
    public void DisposeBrain() => _brain.Dispose();

    [Test]
    public void EmptyFile()
    {
        BrainFormatException e = Rejects(Array.Empty<byte>());
        Assert.That(e.Message, Does.Contain("empty"));
        Assert.That(e.Offset, Is.EqualTo(0));
        Assert.Throws<BrainFormatException>(() => BrainFile.Read(new MemoryStream()));
        Assert.Throws<BrainFormatException>(() => BrainFile.ReadInfo(Array.Empty<byte>()));
        string path = Path.GetTempFileName();
        try
        {
            Assert.That(Assert.Throws<BrainFormatException>(() => BrainFile.Load(path))!.Message, Does.Contain("empty"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void EveryTruncation()
    {
        for (int length = 0; length < _file.Length; length++)
        {
            byte[] cut = _file.AsSpan(0, length).ToArray();
            BrainFormatException e = Rejects(cut);
            if (length >= BrainFile.HeaderLength) Assert.That(e.Message, Does.Contain("truncated"), $"length {length}");
            Assert.Throws<BrainFormatException>(() => BrainFile.Read(new TrickleStream(cut, 13)), $"stream of {length} bytes");
            Assert.Throws<BrainFormatException>(() => BrainFile.ReadInfo(new MemoryStream(cut)), $"info of {length} bytes");
        }
    }

    [Test]
    public void EveryBitFlip()
    {
        for (int bit = 0; bit < _file.Length * 8; bit++)
        {
            byte[] flipped = (byte[])_file.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            BrainFormatException e = Rejects(flipped);
            Assert.That(e.Offset, Is.GreaterThanOrEqualTo(0), $"bit {bit}: {e.Message}");
            Assert.Throws<BrainFormatException>(() => BrainFile.ReadInfo(flipped));
        }
    }

    [Test]
    public void NotABrainFile()
    {
        foreach (byte[] other in new[]
        {
            Encoding.ASCII.GetBytes("hello, this is not a brain file at all, only text"),
            new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53 },
            new byte[64],
        })
        {
            BrainFormatException e = Rejects(other);
            Assert.That(e.Message, Does.Contain("not a Cortex brain file"));
            Assert.That(e.Field, Is.EqualTo("header.magic"));
        }
    }

    [Test]
    public void FutureAndBogusHeaders()
    {
        BrainFormatException e = Rejects(Header(f => BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(8), 3)));
        Assert.That(e.Message, Does.Contain("version 3 is newer than this reader, which understands up to version 2"));
        Assert.That(e.Offset, Is.EqualTo(8));
        Assert.That(Rejects(Header(f => BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(8), 0))).Field, Is.EqualTo("header.version"));
        Assert.That(Rejects(Header(f => BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(10), 64))).Field, Is.EqualTo("header.length"));
        Assert.That(Rejects(Header(f => f[15] |= 0x80)).Message, Does.Contain("require features"));
        Assert.That(Rejects(Header(f => BinaryPrimitives.WriteUInt64LittleEndian(f.AsSpan(16), 1UL << 40))).Message, Does.Contain("limit"));
        Assert.That(Rejects(Header(f => BinaryPrimitives.WriteUInt64LittleEndian(f.AsSpan(16), (ulong)(f.Length - 31)))).Message, Does.Contain("truncated"));
        Assert.That(Rejects(Header(f => BinaryPrimitives.WriteUInt64LittleEndian(f.AsSpan(16), 3))).Message, Does.Contain("unexpected bytes"));
        Assert.That(Rejects(_file.Concat(new byte[] { 0 }).ToArray()).Message, Does.Contain("unexpected bytes"));
        // Informational flag bits a later version may add are ignored only if the payload agrees with the known ones.
        Assert.That(Rejects(Header(f => f[12] &= unchecked((byte)~(int)BrainFileFlags.OptimizerState))).Field, Is.EqualTo("optimizerState"));

        byte[] Header(Action<byte[]> edit)
        {
            byte[] copy = (byte[])_file.Clone();
            edit(copy);
            return Resign(copy);
        }
    }

    [Test]
    public void ForgedDimensions()
    {
        Assert.That(Forged(d => d.Spec!.Layers![0].Outputs = int.MaxValue).Field, Is.EqualTo("spec.layers[0].outputs"));
        Assert.That(Forged(d => d.Spec!.Layers![0].Outputs = 0).Field, Is.EqualTo("spec.layers[0].outputs"));
        Assert.That(Forged(d => d.Spec!.Inputs = -1).Field, Is.EqualTo("spec"));
        BrainFormatException wide = Forged(d => { d.Spec!.Inputs = 1 << 20; d.Spec.Layers![0].Outputs = 1 << 20; });
        Assert.That(wide.Message, Does.Contain("parameters"));
        Assert.That(Forged(d => d.Spec!.Layers![0].Outputs = 6).Message, Does.Contain("holds 32 floats but the spec"));
        Assert.That(Forged(d => d.Parameters = d.Parameters!.Take(5).ToArray()).Field, Is.EqualTo("parameters"));
        Assert.That(Forged(d => d.Spec!.MaxBatch = 0).Field, Is.EqualTo("spec"));
        Assert.That(Forged(d => d.Spec!.MaxBatch = 1 << 20).Field, Is.EqualTo("spec.maxBatch"), "a forged batch limit asks for a workspace the load options refuse");
        Assert.That(Forged(d => d.Spec!.Layers = Enumerable.Range(0, 5000).Select(_ => new LayerDto { Outputs = 1 }).ToArray()).Message,
            Does.Contain("more than the 4096"));
        Assert.That(Forged(d => d.Spec!.Layers = Array.Empty<LayerDto>()).Field, Is.EqualTo("spec.layers"));
        Assert.That(Forged(d => d.Spec = null).Field, Is.EqualTo("spec"));
        Assert.That(Forged(d => d.Metadata = null).Field, Is.EqualTo("metadata"));
    }

    [Test]
    public void ForgedCollectionLengthsAreCheckedBeforeAllocating()
    {
        // Inputs = 0x5EED5EED marks the spec; the four bytes after it are the layer count.
        byte[] marked = Forge(_brain, d => d.Spec!.Inputs = 0x5EED5EED);
        int layers = IndexOf(marked, BitConverter.GetBytes(0x5EED5EED)) + 4;
        foreach (int count in new[] { int.MaxValue, 1 << 30, 1 << 16, -5, int.MinValue })
        {
            BrainFormatException e = Rejects(Splice(marked, layers, 4, BitConverter.GetBytes(count)));
            Assert.That(e.Offset, Is.EqualTo(layers), $"count {count}: {e.Message}");
        }

        // The parameters start with a marker float; the four bytes before it are their length.
        byte[] withMarker = Forge(_brain, d => d.Parameters![0] = BitConverter.Int32BitsToSingle(0x3A5EED01));
        int parameters = IndexOf(withMarker, BitConverter.GetBytes(0x3A5EED01)) - 4;
        foreach (int count in new[] { int.MaxValue, 1 << 28, 1 << 29, 1 << 30, -2, int.MinValue })
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Rejects(Splice(withMarker, parameters, 4, BitConverter.GetBytes(count)));
            Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(1 << 20), $"count {count}");
        }
    }

    [Test]
    public void ForgedMemberLengthTablesAreRefused()
    {
        // A layer is written as: member count 4, lengths 4 1 4 1, then Outputs (marked 0x0A0B0C0D).
        byte[] marked = Forge(_brain, d => d.Spec!.Layers![0].Outputs = 0x0A0B0C0D);
        int header = IndexOf(marked, new byte[] { 4, 4, 1, 4, 1, 0x0D, 0x0C, 0x0B, 0x0A });
        // A file object of seven members, the unknown seventh with length −100: MemoryPack would skip it backwards.
        BrainFormatException e = Rejects(WithHeader(new byte[] { 7, 0, 0, 0, 0, 0, 0, unchecked((byte)-100) }, BrainFileFlags.None));
        Assert.That(e.Message, Does.Contain("member 6 has length -100"));
        Assert.That(e.Offset, Is.EqualTo(BrainFile.HeaderLength));
        // The same inside a layer: the enclosing spec's member table no longer matches the layer's real length.
        Assert.That(Rejects(Splice(marked, header, 5, new byte[] { 5, 4, 1, 4, 1, unchecked((byte)-100) })).Message, Does.Contain("declared"));
        // Lengths that add up to more than the payload, and a truncated length table.
        Assert.That(Rejects(WithHeader(new byte[] { 7, 0, 0, 0, 0, 0, 0, 0x82, 0xFF, 0xFF, 0xFF, 0x7F }, BrainFileFlags.None)).Message, Does.Contain("claim"));
        Assert.That(Rejects(WithHeader(new byte[] { 6, 1 }, BrainFileFlags.None)).Message, Does.Contain("truncated"));
        Assert.That(Rejects(WithHeader(new byte[] { 250 }, BrainFileFlags.None)).Message, Does.Contain("member count"));
        Assert.That(Rejects(Splice(marked, header, 1, new byte[] { 250 })).Message, Does.Contain("member 1 is declared"), "the enclosing spec measures its layers");
    }

    [Test]
    public void ForgedStrings()
    {
        byte[] marked = Forge(_brain, d => d.Metadata!.Name = "ZZZZ");
        int text = IndexOf(marked, Encoding.ASCII.GetBytes("ZZZZ"));
        int header = text - 8;   // UTF-8 form: ~byteCount, utf16Length, bytes
        Assert.That(BitConverter.ToInt32(marked, header), Is.EqualTo(~4), "MemoryPack writes strings as UTF-8");
        foreach (int forged in new[] { int.MinValue, int.MinValue + 3, ~1_000_000, int.MaxValue, 100_000 })
        {
            BrainFormatException e = Rejects(Splice(marked, header, 4, BitConverter.GetBytes(forged)));
            Assert.That(e.Offset, Is.EqualTo(header), $"header {forged}: {e.Message}");
        }
        Assert.That(Rejects(Splice(marked, text, 2, new byte[] { 0xC3, 0x28 })).Message, Does.Contain("UTF-8"));
        Assert.That(Rejects(Splice(marked, header + 4, 4, BitConverter.GetBytes(3))).Message, Does.Contain("decodes to 4"));
        BrainFormatException longName = Forged(d => d.Metadata!.Name = new string('n', 5000));
        Assert.That(longName.Message, Does.Contain("1024"));
        Assert.That(longName.Field, Is.EqualTo("metadata.name"));
    }

    [Test]
    public void NonFiniteAndInconsistentNumbers()
    {
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            BrainFormatException e = Forged(d => d.Parameters![22] = bad);
            Assert.That(e.Field, Is.EqualTo("parameters[22]"));
            Assert.That(e.Message, Does.Contain("layer 1 weight [0, 2]"));
            Assert.That(Forged(d => d.OptimizerState!.Moment1![3] = bad).Field, Is.EqualTo("optimizerState.moment1[3]"));
            Assert.That(Forged(d => d.Sections![0].Values![1] = bad).Field, Is.EqualTo("sections[0].values[1]"));
        }
        using Brain adam = Classifier(1);
        byte[] adamFile = Forge(adam, d => d.OptimizerState!.Moment2![0] = -1f);
        Assert.That(Rejects(adamFile).Message, Does.Contain("second moment is negative"));
        Assert.That(Forged(d => d.OptimizerState!.Moment2 = new float[d.Parameters!.Length]).Message, Does.Contain("keeps no such moment"));
        Assert.That(Forged(d => d.OptimizerState!.Moment1 = null).Field, Is.EqualTo("optimizerState.moment1"));
        Assert.That(Forged(d => d.OptimizerState!.Steps = -1).Field, Is.EqualTo("optimizerState.steps"));
        Assert.That(Forged(d => d.Metadata!.TrainingSteps = -1).Field, Is.EqualTo("metadata.trainingSteps"));
        Assert.That(Forged(d => d.Metadata!.CreatedUnixMilliseconds = long.MaxValue).Field, Is.EqualTo("metadata.created"));
        Assert.That(Forged(d => { d.RandomState!.S0 = d.RandomState.S1 = d.RandomState.S2 = d.RandomState.S3 = 0; }).Message, Does.Contain("all zero"));
        Assert.That(Forged(d => d.RandomState!.HasSpareGaussian = 2).Field, Is.EqualTo("randomState.hasSpareGaussian"));
        Assert.That(Forged(d => { d.RandomState!.HasSpareGaussian = 1; d.RandomState.SpareGaussianBits = 0x7FC00000; }).Message, Does.Contain("not finite"));
    }

    [Test]
    public void ForgedSpecValuesGoThroughBrainSpec()
    {
        Assert.That(Forged(d => d.Spec!.Layers![0].Activation = 200).Message, Does.Contain("Unknown activation"));
        Assert.That(Forged(d => { d.Spec!.Layers![0].Activation = (byte)ActivationKind.LeakyRelu; d.Spec.Layers[0].Alpha = 2f; }).Field, Is.EqualTo("spec.layers[0].activation"));
        Assert.That(Forged(d => d.Spec!.Layers![0].Alpha = 0.5f).Field, Is.EqualTo("spec.layers[0].alpha"));
        Assert.That(Forged(d => d.Spec!.Layers![0].Init = 77).Field, Is.EqualTo("spec.layers[0].init"));
        Assert.That(Forged(d => d.Spec!.LossKind = 99).Field, Is.EqualTo("spec.loss"));
        Assert.That(Forged(d => d.Spec!.LossDelta = float.NaN).Field, Is.EqualTo("spec.loss"));
        Assert.That(Forged(d => { d.Spec!.LossKind = (byte)LossKind.SoftmaxCrossEntropy; d.Spec.LossDelta = 0f; }).Message, Does.Contain("Softmax output layer"));
        Assert.That(Forged(d => d.Spec!.Optimizer!.Kind = 9).Field, Is.EqualTo("spec.optimizer"));
        Assert.That(Forged(d => d.Spec!.Optimizer!.LearningRate = -1f).Field, Is.EqualTo("spec.optimizer"));
        Assert.That(Forged(d => d.Spec!.Optimizer!.Beta1 = 0.5f).Field, Is.EqualTo("spec.optimizer.beta1"));
        Assert.That(Forged(d => d.Spec!.Optimizer!.Nesterov = 2).Field, Is.EqualTo("spec.optimizer.nesterov"));
        Assert.That(Forged(d => d.Spec!.Optimizer = null).Field, Is.EqualTo("spec.optimizer"));
    }

    [Test]
    public void ForgedMetadataSectionsAndFlags()
    {
        Assert.That(Forged(d => d.Metadata!.UserValues = Array.Empty<string>()).Field, Is.EqualTo("metadata.userValues"));
        Assert.That(Forged(d => { d.Metadata!.UserKeys = new[] { "a", "a" }; d.Metadata.UserValues = new[] { "1", "2" }; }).Message, Does.Contain("twice"));
        Assert.That(Forged(d => { d.Metadata!.UserKeys = new[] { "" }; d.Metadata.UserValues = new[] { "1" }; }).Field, Is.EqualTo("metadata.userKeys[0]"));
        Assert.That(Forged(d => d.Sections = new[] { d.Sections![0], d.Sections[0] }).Message, Does.Contain("twice"));
        Assert.That(Forged(d => d.Sections![0].Values = null).Field, Is.EqualTo("sections[0].values"));
        Assert.That(Forged(d => d.Sections = null).Field, Is.EqualTo("sections"), "the header still announces sections");
        Assert.That(Forged(d => d.OptimizerState = null).Field, Is.EqualTo("optimizerState"));
        Assert.That(Forged(d => d.RandomState = null).Field, Is.EqualTo("randomState"));
        Assert.That(Rejects(WithHeader(new byte[] { 255 }, BrainFileFlags.None)).Message, Does.Contain("null object"));
        byte[] payload = _file.AsSpan(BrainFile.HeaderLength).ToArray();
        var flags = (BrainFileFlags)BinaryPrimitives.ReadUInt32LittleEndian(_file.AsSpan(12));
        BrainFormatException trailing = Rejects(WithHeader(payload.Concat(new byte[] { 1, 2, 3 }).ToArray(), flags));
        Assert.That(trailing.Message, Does.Contain("3 bytes remain"));
        Assert.That(trailing.Offset, Is.EqualTo(_file.Length));
    }

    private BrainFormatException Forged(Action<BrainFileDto> mutate)
    {
        byte[] file = Forge(_brain, mutate);
        try
        {
            BrainFile.ReadInfo(file);   // skips the weights, so it may accept what Read refuses — but it never throws anything else
        }
        catch (BrainFormatException)
        {
        }
        return Rejects(file, new BrainLoadOptions { MaxWorkspaceFloats = 1 << 16 });
    }
}
