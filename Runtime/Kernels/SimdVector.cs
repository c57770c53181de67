using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Cortex.Kernels;

/// <summary>System.Numerics.Vector: whatever width the runtime picked; separate multiply and add.</summary>
internal readonly unsafe struct SimdVector : ISimdOps<Vector<float>>
{
    public int Count => Vector<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> Load(float* p) => Unsafe.ReadUnaligned<Vector<float>>(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(float* p, Vector<float> v) => Unsafe.WriteUnaligned(p, v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> Create(float value) => new(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> Add(Vector<float> a, Vector<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> Subtract(Vector<float> a, Vector<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> Multiply(Vector<float> a, Vector<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> Divide(Vector<float> a, Vector<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> MultiplyAdd(Vector<float> a, Vector<float> b, Vector<float> c) => a * b + c;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> Max(Vector<float> a, Vector<float> b) => Vector.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> Min(Vector<float> a, Vector<float> b) => Vector.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector<float> Clamp(Vector<float> x, Vector<float> lo, Vector<float> hi) => Vector.ConditionalSelect(Vector.Equals(x, x), Vector.Min(Vector.Max(x, lo), hi), x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> Abs(Vector<float> a) => Vector.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> Select(Vector<float> mask, Vector<float> ifTrue, Vector<float> ifFalse) => Vector.ConditionalSelect(mask, ifTrue, ifFalse);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> LessThan(Vector<float> a, Vector<float> b) => Vector.AsVectorSingle(Vector.LessThan(a, b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> GreaterThan(Vector<float> a, Vector<float> b) => Vector.AsVectorSingle(Vector.GreaterThan(a, b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> GreaterThanOrEqual(Vector<float> a, Vector<float> b) => Vector.AsVectorSingle(Vector.GreaterThanOrEqual(a, b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> IsNumber(Vector<float> a) => Vector.AsVectorSingle(Vector.Equals(a, a));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector<float> ScaleByPowerOfTwo(Vector<float> e, Vector<float> shifted) => Vector.AsVectorSingle(
        Vector.AsVectorInt32(e) + (Vector.AsVectorInt32(shifted) - Vector.AsVectorInt32(new Vector<float>(VectorMath.RoundingShift))) * new Vector<int>(1 << 23));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Sum(Vector<float> v) => Vector.Dot(v, Vector<float>.One);

    public float MaxAcross(Vector<float> v)
    {
        float max = v[0];
        for (int i = 1; i < Vector<float>.Count; i++) max = Math.Max(max, v[i]);
        return max;
    }

    public Vector<float> Zero => Vector<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> Broadcast(float* p) => new(*p);
    public void Prefetch(float* p) { }

    public void Sum4(Vector<float> a, Vector<float> b, Vector<float> c, Vector<float> d, float* dst)
    {
        dst[0] = Sum(a);
        dst[1] = Sum(b);
        dst[2] = Sum(c);
        dst[3] = Sum(d);
    }
}
