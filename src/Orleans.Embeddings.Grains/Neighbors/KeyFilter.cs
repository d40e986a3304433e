using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Orleans.Embeddings.Grains.Neighbors;

/// <summary>
/// Which keys a filtered search may return: keys below a limit whose bit is set (every key below the limit when
/// there are no bits), except one. USearch calls <see cref="Accept"/> for each candidate result, so the state it
/// reads must stay pinned for the whole search: it lives on the searching thread's stack.
/// </summary>
public readonly unsafe struct KeyFilter
{
    private KeyFilter(delegate* unmanaged[Cdecl]<ulong, void*, int> accept, void* state)
    {
        Accept = accept;
        State = state;
    }

    internal delegate* unmanaged[Cdecl]<ulong, void*, int> Accept { get; }

    internal void* State { get; }

    /// <summary>A filter over <paramref name="state"/>, which the caller keeps alive and pinned during the search.</summary>
    public static KeyFilter Over(BitsetFilterState* state) => new(&AcceptBitset, state);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int AcceptBitset(ulong key, void* state)
    {
        var filter = (BitsetFilterState*)state;
        if (key >= filter->Limit || key == filter->Excluded) return 0;
        return filter->Bits is null || (filter->Bits[key >> 6] & (1UL << (int)(key & 63))) != 0 ? 1 : 0;
    }
}

/// <summary>The state of a bitset filter; <see cref="Bits"/> must cover every key below <see cref="Limit"/>.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct BitsetFilterState
{
    public ulong* Bits;
    public ulong Limit;
    public ulong Excluded;
}
