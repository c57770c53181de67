using System;
using System.Text;
using Cortex.Serialization;
using MemoryPack;
using NUnit.Framework;
using static Cortex.Tests.Serialization.BrainFileKit;

namespace Cortex.Tests.Serialization;

/// <summary>Hostile values inside well-formed, correctly signed files: step counts, surrogates, member-length tables, long strings.</summary>
[TestFixture]
public sealed class BrainFileHardeningTests
{
    [Test]
    public void AnImpossibleStepCountIsRefusedAtLoad()
    {
        using Brain brain = Classifier(1);
        foreach (long steps in new[] { long.MaxValue, long.MaxValue - 1, FormatLimits.MaxSteps + 1 })
        {
            byte[] file = Forge(brain, dto => dto.OptimizerState!.Steps = steps);
            Assert.That(Rejects(file).Field, Is.EqualTo("optimizerState.steps"), $"steps {steps}");
            Assert.That(Assert.Throws<BrainFormatException>(() => BrainFile.ReadInfo(file))!.Field, Is.EqualTo("optimizerState.steps"));
            byte[] metadata = Forge(brain, dto => dto.Metadata!.TrainingSteps = steps);
            Assert.That(Rejects(metadata).Field, Is.EqualTo("metadata.trainingSteps"));
        }
        byte[] most = Forge(brain, dto => dto.OptimizerState!.Steps = FormatLimits.MaxSteps);
        using Brain loaded = BrainFile.Read(most);
        (float[] x, float[] y) = Data(8, 4, 3, 2);
        Assert.That(loaded.Train(x, y, 8), Is.GreaterThan(0f), "the largest step count a file may hold still trains");
        Assert.That(loaded.Steps, Is.EqualTo(FormatLimits.MaxSteps + 1));
    }

    [Test]
    public void LoneSurrogatesAreRefusedOnSave()
    {
        foreach (string bad in new[] { "\uD800", "a\uDC00b", "\uDBFF", "x\uD800\uD800y", "\uDC00\uD800" })
        {
            using Brain brain = Classifier(2);
            brain.UserData["k"] = bad;
            ArgumentException e = Assert.Throws<ArgumentException>(() => BrainFile.ToBytes(brain))!;
            Assert.That(e.ParamName, Is.EqualTo("brain"));
            Assert.That(e.Message, Does.Contain("surrogate"));
            brain.UserData.Clear();
            Assert.That(Assert.Throws<ArgumentException>(() => BrainFile.ToBytes(brain, new BrainSaveOptions { UserData = new System.Collections.Generic.Dictionary<string, string> { [bad] = "v" } }))!.ParamName,
                Is.EqualTo("options"));
            Assert.That(Assert.Throws<ArgumentException>(() => BrainFile.ToBytes(brain, new BrainSaveOptions { Name = bad }))!.ParamName, Is.EqualTo("options"));
            brain.Name = bad;
            Assert.That(Assert.Throws<ArgumentException>(() => BrainFile.ToBytes(brain))!.ParamName, Is.EqualTo("brain"));
            brain.Name = "";
            brain.Sections[bad] = new[] { 1f };
            Assert.That(Assert.Throws<ArgumentException>(() => BrainFile.ToBytes(brain))!.ParamName, Is.EqualTo("brain"));
        }
        using Brain fine = Classifier(3);
        fine.UserData["emoji"] = "\uD83D\uDE00 ok";   // a pair is fine
        using Brain back = BrainFile.Read(BrainFile.ToBytes(fine));
        Assert.That(back.UserData["emoji"], Is.EqualTo("\uD83D\uDE00 ok"));
    }

    [Test]
    public void LoneSurrogatesAreRefusedOnLoad([Values] bool utf16)
    {
        using Brain brain = Classifier(4);
        var options = utf16 ? MemoryPackSerializerOptions.Utf16 : MemoryPackSerializerOptions.Utf8;
        foreach (string bad in new[] { "\uD800", "a\uDC00b", "\uDBFFz" })
        {
            (BrainFileDto dto, BrainFileFlags flags) = BrainSnapshot.Capture(brain, Fixed());
            dto.Metadata!.UserKeys = new[] { "k" };
            dto.Metadata.UserValues = new[] { "placeholder-" + new string('x', bad.Length) };
            byte[] payload;
            if (utf16)
            {
                dto.Metadata.UserValues = new[] { bad };   // MemoryPack writes UTF-16 code units as they are
                payload = MemoryPackSerializer.Serialize(dto, options);
            }
            else
            {
                // MemoryPack's UTF-8 writer refuses a lone surrogate, so plant its 3-byte (CESU) form by hand.
                dto.Metadata.UserValues = new[] { "ABC" };
                payload = MemoryPackSerializer.Serialize(dto, options);
                int at = payload.AsSpan().IndexOf(Encoding.ASCII.GetBytes("ABC"));
                payload[at] = 0xED;
                payload[at + 1] = 0xA0;
                payload[at + 2] = 0x80;
            }
            byte[] file = WithHeader(payload, flags);
            BrainFormatException e = Rejects(file);
            Assert.That(e.Field, Is.EqualTo("metadata.userValues[0]"), e.Message);
            Assert.Throws<BrainFormatException>(() => BrainFile.ReadInfo(file));
        }
    }

    [Test]
    public void EachMemberLengthIsChecked()
    {
        using Brain brain = Regressor(5);
        byte[] file = BrainFile.ToBytes(brain, Fixed());
        // The generator state's table: 6 members, four 8-byte words, a 4-byte float, a byte. Declare 5 + 0 for
        // the last two: the sum is unchanged, but each length is wrong.
        byte[] table = { 6, 8, 8, 8, 8, 4, 1 };
        int at = IndexOf(file, table);
        byte[] forged = Splice(file, at, table.Length, new byte[] { 6, 8, 8, 8, 8, 5, 0 });
        BrainFormatException e = Rejects(forged);
        Assert.That(e.Field, Is.EqualTo("randomState"));
        Assert.That(e.Message, Does.Contain("member 4 is declared 5 bytes long but holds 4 bytes"));
        Assert.Throws<BrainFormatException>(() => BrainFile.ReadInfo(forged));

        // A layer's table (4 members: int, byte, float, byte), shifted the same way.
        byte[] layer = { 4, 4, 1, 4, 1 };
        int l = IndexOf(file, layer);
        Assert.That(Rejects(Splice(file, l, layer.Length, new byte[] { 4, 5, 0, 4, 1 })).Field, Is.EqualTo("layer"));
        Assert.That(Rejects(Splice(file, l, layer.Length, new byte[] { 4, 4, 1, 3, 2 })).Field, Is.EqualTo("layer"));

        // Variable-length members: a section's name (UTF-16 "s": 4 + 2 bytes) and values (4 + 2 × 4 bytes), one byte moved.
        brain.Sections["s"] = new[] { 1f, 2f };
        byte[] withSection = BrainFile.ToBytes(brain, Fixed());
        byte[] section = { 2, 6, 12 };
        int sAt = IndexOf(withSection, section);
        Assert.That(Rejects(Splice(withSection, sAt, section.Length, new byte[] { 2, 7, 11 })).Field, Is.EqualTo("section"));
        Assert.That(Rejects(Splice(withSection, sAt, section.Length, new byte[] { 2, 5, 13 })).Field, Is.EqualTo("section"));

        // A later format's extra member (past the schema) is still skipped by its declared length.
        Assert.That(() => BrainFile.Read(file).Dispose(), Throws.Nothing);
    }

    [Test]
    public void OverlongUtf8StringsAreRefusedBeforeTheyAreDecoded()
    {
        using Brain brain = Classifier(6);
        (BrainFileDto dto, BrainFileFlags flags) = BrainSnapshot.Capture(brain, Fixed());
        dto.Metadata!.UserKeys = new[] { "k" };
        dto.Metadata.UserValues = new[] { new string('a', FormatLimits.MaxValueChars + 1) };
        byte[] file = WithHeader(MemoryPackSerializer.Serialize(dto, MemoryPackSerializerOptions.Utf8), flags);
        BrainFile.ReadInfo(BrainFile.ToBytes(brain));   // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        BrainFormatException e = Rejects(file);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(e.Message, Does.Contain("more than the 65536 allowed"));
        Assert.That(allocated, Is.LessThan(64 << 10), "the string was refused before it was decoded (it would take 128 KiB)");
    }

    [Test]
    public void CortexWritesStringsAsUtf16()
    {
        using Brain brain = Classifier(7);
        brain.UserData["key"] = "value";
        byte[] file = BrainFile.ToBytes(brain);
        Assert.That(file.AsSpan().IndexOf(Encoding.Unicode.GetBytes("value")), Is.GreaterThan(0));
        using Brain back = BrainFile.Read(file);
        Assert.That(back.UserData["key"], Is.EqualTo("value"));
    }
}
