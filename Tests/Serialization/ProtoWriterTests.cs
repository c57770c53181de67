using Cortex.Serialization.Onnx;
using NUnit.Framework;

namespace Cortex.Tests.Serialization;

[TestFixture]
public sealed class ProtoWriterTests
{
    [Test]
    public void VarintsFollowTheProtobufEncoding()
    {
        Assert.That(new ProtoWriter().Int64(1, 150).Written.ToArray(), Is.EqualTo(new byte[] { 0x08, 0x96, 0x01 }), "the protobuf guide's example");
        Assert.That(new ProtoWriter().Int64(2, 300).Written.ToArray(), Is.EqualTo(new byte[] { 0x10, 0xAC, 0x02 }));
        Assert.That(new ProtoWriter().Int64(1, -1).Written.ToArray(),
            Is.EqualTo(new byte[] { 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }), "negative int64: ten bytes");
        Assert.That(new ProtoWriter().Int64(20, 2).Written.ToArray(), Is.EqualTo(new byte[] { 0xA0, 0x01, 0x02 }), "two-byte tag");
    }

    [Test]
    public void LengthDelimitedAndFixedFields()
    {
        Assert.That(new ProtoWriter().String(2, "testing").Written.ToArray(),
            Is.EqualTo(new byte[] { 0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6E, 0x67 }));
        Assert.That(new ProtoWriter().Float(2, 1f).Written.ToArray(), Is.EqualTo(new byte[] { 0x15, 0x00, 0x00, 0x80, 0x3F }));
        Assert.That(new ProtoWriter().Message(3, new ProtoWriter().Int64(1, 150)).Written.ToArray(), Is.EqualTo(new byte[] { 0x1A, 0x03, 0x08, 0x96, 0x01 }));
        Assert.That(new ProtoWriter().PackedInt64(1, new long[] { 3, 270 }).Written.ToArray(), Is.EqualTo(new byte[] { 0x0A, 0x03, 0x03, 0x8E, 0x02 }));
        Assert.That(new ProtoWriter().PackedInt64(1, new long[0]).Written.Length, Is.EqualTo(0));
        Assert.That(new ProtoWriter().RawFloats(9, new[] { 1f, -2f }).Written.ToArray(),
            Is.EqualTo(new byte[] { 0x4A, 0x08, 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0 }));
    }

    [Test]
    public void GrowsPastItsFirstBuffer()
    {
        var writer = new ProtoWriter();
        for (int i = 0; i < 1000; i++) writer.Int64(1, i);
        Assert.That(writer.Written.Length, Is.EqualTo(1000 + 128 + 2 * (1000 - 128)));
    }
}
